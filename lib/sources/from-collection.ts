import { Observable, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import { Job } from '../core/job';
import { StartElement } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { Watermark } from '../core/watermark';

/** Options of {@link fromCollection}. */
export interface FromCollectionOptions {
  /** The job this source belongs to (name, execution mode, scheduler); a default streaming job if absent. */
  job?: Job;
  /** Where chunks are scheduled (default: the job's scheduler). */
  scheduler?: SchedulerLike;
  /** Values emitted per chunk before yielding to the scheduler (default 1024). */
  chunkSize?: number;
}

/**
 * A bounded source over an iterable: emits the job's start element, then the values (as records
 * without timestamps) in chunks that yield to the scheduler in between, so timers, periodic watermarks
 * and barriers interleave with records; then the end-of-input watermark, and completes.
 *
 * It's like RxJS's `from(iterable)`, but chunked on a scheduler, announcing its job, and ending with the
 * largest watermark, as Flink's `fromCollection`.
 *
 * ```text
 * fromCollection([a, b, c], { chunkSize: 2 })   S(ab)(cM|)     (S = start, M = end-of-input watermark)
 * ```
 *
 * @example
 * ```ts
 * fromCollection(clicks, { job: new Job({ executionMode: 'automatic' }) }).pipe(keyBy((c) => c.user), sum('n'))
 * ```
 * @throws InvalidArgumentError when chunkSize is not a positive integer.
 * @see fromElements, Flink's `StreamExecutionEnvironment.fromCollection`
 */
export function fromCollection<T>(iterable: Iterable<T>, options?: FromCollectionOptions): Observable<StreamElement<T>> {
  const chunkSize = options?.chunkSize ?? 1024;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidArgumentError({ operator: 'fromCollection' }, 'chunkSize', chunkSize, 'must be a positive integer');
  }
  if (iterable == null || typeof (iterable as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError({ operator: 'fromCollection' }, 'iterable', iterable, 'must be iterable (an array, a Set, a generator...)');
  }
  return new Observable<StreamElement<T>>((subscriber) => {
    const job = options?.job ?? new Job();
    const scheduler = options?.scheduler ?? job.scheduler;
    subscriber.next(new StartElement(job.context(true)));
    const it = iterable[Symbol.iterator]();
    const emitChunk = (): boolean => {
      for (let n = 0; n < chunkSize; n++) {
        if (subscriber.closed) return true;
        const r = it.next();
        if (r.done === true) {
          subscriber.next(Watermark.MAX);
          subscriber.complete();
          return true;
        }
        subscriber.next(r.value);
      }
      return false;
    };
    try {
      if (emitChunk()) return;
    } catch (err) {
      subscriber.error(err);
      return;
    }
    return scheduler.schedule(function next() {
      try {
        if (!emitChunk()) this.schedule();
      } catch (err) {
        subscriber.error(err);
      }
    });
  });
}
