/**
 * Builds a run-mode marble string with one slot every `step` frames, so that groups like `(xW)` fit
 * between slots: `spaced(['a', '', '(xW)', '|'])` puts `a` at frame 0, the group at 20 and completion at 30.
 */
export function spaced(slots: readonly string[], step = 10): string {
  let out = '';
  let pos = 0;
  slots.forEach((token, i) => {
    if (token === '') return;
    const at = i * step;
    const gap = at - pos;
    if (gap > 0) out += `${out === '' ? '' : ' '}${gap}ms `;
    out += token;
    pos = at + token.length;
  });
  return out;
}
