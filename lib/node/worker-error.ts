import { type ErrorOrigin, TidemarkError } from '../core/errors';

/**
 * A subtask running on a worker thread failed: its stage errored (the original error is the `cause`), its
 * module could not be loaded, or the thread died. Names the subtask.
 *
 * @example
 * ```ts
 * lines$.pipe(parallelWorkers(2, new URL('./stage.js', import.meta.url))).subscribe({
 *   error: (e) => { if (e instanceof WorkerError) console.error(`subtask ${e.subtaskIndex} failed`, e.cause) },
 * });
 * ```
 */
export class WorkerError extends TidemarkError {
  override name = 'WorkerError';
  constructor(
    origin: ErrorOrigin,
    /** The failed subtask's index. */
    readonly subtaskIndex: number,
    /** The stage's parallelism. */
    readonly parallelism: number,
    detail: string,
    cause?: unknown,
  ) {
    super(origin, `subtask ${subtaskIndex} of ${parallelism} (worker thread) ${detail}`, cause === undefined ? undefined : { cause });
  }
}
