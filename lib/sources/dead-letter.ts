import { OutputTag } from '../core/output-tag';

/**
 * A source record that could not be parsed, sent to a dead-letter side output instead of failing the job:
 * where it came from, what it was, and why it was refused.
 *
 * @example
 * ```ts
 * const deadLetters = new OutputTag<DeadLetter>('dead-letters');
 * fromRedisStream({ keys: 'clicks', parse: JSON.parse, deadLetters }).pipe(sideOutput(deadLetters), values())
 *   .subscribe((d) => console.warn(`${d.source} ${d.split}@${d.offset}: ${d.error}`));
 * ```
 * @see deadLetterTag
 */
export interface DeadLetter {
  /** The source (its name or uid). */
  readonly source: string;
  /** The split the record came from (a stream key, a file). */
  readonly split: string;
  /** Where in the split (an entry id, a line number). */
  readonly offset: string;
  /** The record as read. */
  readonly raw: unknown;
  /** Why it could not be parsed. */
  readonly error: string;
}

/**
 * A new output tag for dead letters.
 *
 * @example
 * ```ts
 * const deadLetters = deadLetterTag('bad-clicks');
 * ```
 */
export function deadLetterTag(id = 'dead-letters'): OutputTag<DeadLetter> {
  return new OutputTag<DeadLetter>(id);
}
