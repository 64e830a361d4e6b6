import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { RestoredParts } from '../checkpoint/checkpoint-coordinator';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError } from '../core/errors';
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
  /**
   * Names the source's position in checkpoints (needed when the job checkpoints). A restored source
   * skips the items it had emitted at the checkpoint: the collection must be the same.
   */
  uid?: string;
}

const ORIGIN = { operator: 'fromCollection' };
const OFFSET = 'offset';

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
    throw new InvalidArgumentError(ORIGIN, 'chunkSize', chunkSize, 'must be a positive integer');
  }
  if (iterable == null || typeof (iterable as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(ORIGIN, 'iterable', iterable, 'must be iterable (an array, a Set, a generator...)');
  }
  return new Observable<StreamElement<T>>((subscriber) => {
    const job = options?.job ?? new Job();
    const scheduler = options?.scheduler ?? job.scheduler;
    const coordinator = job.coordinator;
    const uid = options?.uid;
    if (coordinator !== undefined && uid === undefined) {
      subscriber.error(
        new CheckpointError(ORIGIN, `job "${job.name}" checkpoints, so its sources need a uid to store their position under: fromCollection(items, { job, uid: 'items' })`),
      );
      return;
    }
    let position = 0;
    let emitting = false;
    /** Stopping with a savepoint: nothing is emitted after the barrier until resume() or finish(). */
    let suspended = false;
    let parked = false;
    let queued: CheckpointBarrier[] | undefined;
    const emitBarrier = (b: CheckpointBarrier): void => {
      if (subscriber.closed) return;
      if (emitting) {
        (queued ??= []).push(b);
        return;
      }
      b.acknowledger?.acknowledge(uid!, { parts: true, operator: [[OFFSET, String(position)]], kind: 'fromCollection' });
      subscriber.next(b);
    };
    let it: Iterator<T>;
    const emitChunk = (): boolean => {
      emitting = true;
      try {
        for (let n = 0; n < chunkSize; n++) {
          if (subscriber.closed) return true;
          if (suspended) break;
          const r = it.next();
          if (r.done === true) {
            subscriber.next(Watermark.MAX);
            subscriber.complete();
            return true;
          }
          position++;
          subscriber.next(r.value);
          if (queued !== undefined) break;
        }
      } finally {
        emitting = false;
      }
      if (queued !== undefined) {
        const bs = queued;
        queued = undefined;
        for (const b of bs) emitBarrier(b);
      }
      return false;
    };
    let chunks: Subscription | undefined;
    let ended: (() => void) | undefined;
    const start = (): void => {
      if (subscriber.closed) return;
      const context = job.context(true);
      if (coordinator !== undefined) {
        position = restoredOffset(context.restoredState?.get(uid!), uid!);
        ended = job.sourceStarted((err) => subscriber.error(err));
        const unregister = coordinator.register(uid!);
        const unregisterSource = coordinator.registerSource({
          uid: uid!,
          emitBarrier,
          suspend: () => void (suspended = true),
          resume: () => {
            suspended = false;
            if (parked) {
              parked = false;
              scheduleChunks();
            }
          },
          finish: (drain) => {
            if (subscriber.closed) return;
            if (drain) subscriber.next(Watermark.MAX);
            subscriber.complete();
          },
        });
        subscriber.add(() => {
          unregister();
          unregisterSource();
          ended?.();
        });
      }
      subscriber.next(new StartElement(context));
      it = iterable[Symbol.iterator]();
      for (let skip = 0; skip < position; skip++) {
        if (it.next().done === true) {
          subscriber.error(new CheckpointError(ORIGIN, `source "${uid}" was restored at position ${position}, but the collection has only ${skip} items: it is not the one that was checkpointed`));
          return;
        }
      }
      try {
        if (emitChunk()) return;
      } catch (err) {
        subscriber.error(err);
        return;
      }
      scheduleChunks();
    };
    const scheduleChunks = (): void => {
      chunks = scheduler.schedule(function next() {
        if (suspended) {
          parked = true;
          return;
        }
        try {
          if (!emitChunk()) this.schedule();
        } catch (err) {
          subscriber.error(err);
        }
      });
      subscriber.add(chunks);
    };
    const safeStart = (): void => {
      try {
        start();
      } catch (err) {
        subscriber.error(err);
      }
    };
    if (job.isPrepared) safeStart();
    else job.prepare().then(safeStart, (err: unknown) => subscriber.error(err));
    return () => chunks?.unsubscribe();
  });
}

/** Where a restored source resumes: the number of items it had emitted at the checkpoint. */
function restoredOffset(restored: unknown, uid: string): number {
  if (restored === undefined) return 0;
  const raw = (restored as Partial<RestoredParts>).operator?.get(OFFSET);
  const n = Number(raw);
  if (raw === undefined || !Number.isSafeInteger(n) || n < 0) {
    throw new CheckpointError(ORIGIN, `the state restored for source "${uid}" has no valid position (${String(raw)}): is that uid another operator's?`);
  }
  return n;
}
