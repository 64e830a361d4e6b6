/**
 * The heap after a forced full GC, for the memory specs: they assert bounds on what stays reachable,
 * never timings. vitest.config.ts runs the test workers with `--expose-gc`.
 */

/** Bytes of heap in use after a forced full GC. Throws when the process has no `gc` (not `--expose-gc`). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heapAfterGc needs node --expose-gc: run the specs with vitest (vitest.config.ts passes it)');
  gc();
  return process.memoryUsage().heapUsed;
}

/** 1 MiB in bytes. */
export const MiB = 2 ** 20;

/**
 * Runs `step(0)` … `step(warmUp + steps - 1)` and returns how much the heap after a forced GC grew from
 * the end of the warm-up (the steady state) to the end. Call it while the operators under test are
 * still subscribed, so what they hold counts.
 */
export function heapGrowthOver(warmUp: number, steps: number, step: (i: number) => void): number {
  let before = 0;
  for (let i = 0; i < warmUp + steps; i++) {
    if (i === warmUp) before = heapAfterGc();
    step(i);
  }
  return heapAfterGc() - before;
}
