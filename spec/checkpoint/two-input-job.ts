/**
 * Test helper for checkpointed two-input jobs: two `fromCollection` sources on a virtual scheduler, a
 * checkpoint triggered while a chosen input passes its n-th record (so one source is in the middle of a
 * chunk and its barrier comes later than the other's), and a restore into a fresh pipeline. The output is
 * what an exactly-once sink commits: the records before the checkpoint's barrier, then the restored run's.
 */
import fc from 'fast-check';
import { filter, type Observable, observeOn, type SchedulerLike, tap, VirtualTimeScheduler } from 'rxjs';
import {
  assignWatermarks,
  CheckpointBarrier,
  fromCollection,
  Job,
  keyBy,
  StartElement,
  StreamRecord,
  WatermarkStrategy,
  type CheckpointConfig,
  type CheckpointStats,
  type CheckpointStorage,
  type Key,
  type StreamElement,
} from '../../lib/index';

/** An event of one input: key, timestamp (event time) and an id. */
export interface Ev {
  readonly k: number;
  readonly t: number;
  readonly id: string;
}

/** Builds the job's pipeline from its two keyed, timestamped inputs. */
export type TwoInputPipeline = (left: Observable<StreamElement<Ev>>, right: Observable<StreamElement<Ev>>) => Observable<StreamElement<unknown>>;

/** Out-of-orderness of the generated inputs (and of their watermarks): no record is ever late. */
export const OUT_OF_ORDERNESS = 3;

/** Where to checkpoint: while `side` passes its `at`-th record (1-based). */
export interface Cut {
  readonly side: 0 | 1;
  readonly at: number;
}

/**
 * One input. With `channel`, its elements (in order) wait for the scheduler between the source and the
 * operator, as in a network buffer: a barrier triggered meanwhile reaches the operator behind them.
 */
function input(job: Job, events: readonly Ev[], uid: string, chunkSize: number, key: (e: Ev) => Key, onRecord: (n: number) => void, onStart: () => void, onEnd: () => void, channel: SchedulerLike | undefined): Observable<StreamElement<Ev>> {
  let n = 0;
  const source = fromCollection(events, { job, uid, chunkSize }).pipe(
    tap({
      next: (x) => {
        if (typeof x === 'object' && x !== null && 'id' in x) onRecord(++n);
        else if (x instanceof StartElement) onStart();
      },
      complete: onEnd,
    }),
  );
  return (channel === undefined ? source : source.pipe(observeOn(channel))).pipe(
    assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(OUT_OF_ORDERNESS).withPerEventEmit().withTimestampAssigner((e) => e.t)),
    keyBy(key),
  );
}

/** A key selector that makes every third key an array key (so restored keys keep their shape). */
export const keyOf = (e: Ev): Key => (e.k % 3 === 0 ? [e.k, 'x'] : e.k);

export interface RunResult {
  /** Every record (value) the sink received. */
  readonly all: unknown[];
  /** The records before the checkpoint's barrier (what an exactly-once sink commits for it). */
  readonly committed: unknown[];
  readonly stats: CheckpointStats | undefined;
}

/** Runs the job to the end (restoring what `storage` holds), checkpointing at `cut` when given. */
export async function runJob(
  pipeline: TwoInputPipeline,
  lefts: readonly Ev[],
  rights: readonly Ev[],
  storage: CheckpointStorage,
  options: { name?: string; cut?: Cut; checkpoints?: Partial<CheckpointConfig>; chunkSize?: number } = {},
): Promise<RunResult> {
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name: options.name ?? 'job', scheduler, checkpoints: { interval: 1_000_000, ...options.checkpoints, storage } });
  await job.prepare();
  const cut = options.cut;
  let triggered: Promise<CheckpointStats> | undefined;
  // Both sources must have started (the left's first chunk runs before the right subscribes): a cut
  // reached before that triggers at the next record of either side.
  // A source that ended is in no later checkpoint (a restore would replay it from its start): the cut
  // must come while both still run, else there is none (the caller skips that case).
  let ready = false;
  const ended = [false, false];
  const counts = [0, 0];
  const trigger = (side: 0 | 1) => (n: number) => {
    counts[side] = n;
    if (cut !== undefined && counts[cut.side]! >= cut.at && ready && !ended[0] && !ended[1] && triggered === undefined) triggered = job.coordinator!.trigger();
  };
  const chunk = options.chunkSize ?? 4;
  // stands for a source that is still running: the coordinator does not stop when the two sources end
  const hold = job.sourceStarted(() => {});
  const all: unknown[] = [];
  const committed: unknown[] = [];
  let barrierSeen = false;
  let done = false;
  let failure: unknown;
  // the left input has a channel: records in it when the barrier is triggered are behind the right's barrier
  const none = (): void => {};
  pipeline(
    input(job, lefts, 'lefts', chunk, keyOf, trigger(0), none, () => (ended[0] = true), scheduler),
    input(job, rights, 'rights', chunk, keyOf, trigger(1), () => (ready = true), () => (ended[1] = true), undefined),
  )
    .pipe(filter((x) => x instanceof StreamRecord || x instanceof CheckpointBarrier))
    .subscribe({
      next: (x) => {
        if (x instanceof CheckpointBarrier) barrierSeen = true;
        else {
          const v = (x as StreamRecord<unknown>).value;
          all.push(v);
          if (!barrierSeen) committed.push(v);
        }
      },
      error: (e: unknown) => (failure = e),
      complete: () => (done = true),
    });
  // Runs what is due now (the sources' chunks and the channel), never the coordinator's interval timer.
  while (scheduler.actions.length > 0 && scheduler.actions[0]!.delay === 0) {
    const action = scheduler.actions.shift()!;
    const error = action.execute(action.state, action.delay);
    if (error !== undefined) throw error;
  }
  if (failure !== undefined) throw failure;
  expect(done).toBe(true);
  // the writes of a checkpoint land after the sources ended; `hold` kept the coordinator running for them
  const stats = triggered === undefined ? undefined : await triggered;
  hold();
  return { all, committed, stats };
}

/** Events of one input: keys 0..keys-1, timestamps out of order by at most {@link OUT_OF_ORDERNESS}. */
export function eventsOf(prefix: string, keys: number): fc.Arbitrary<Ev[]> {
  return fc
    .array(fc.record({ k: fc.integer({ min: 0, max: keys - 1 }), step: fc.integer({ min: 0, max: 3 }), jitter: fc.integer({ min: 0, max: OUT_OF_ORDERNESS }) }), { minLength: 1, maxLength: 25 })
    .map((xs) => {
      let base = 0;
      return xs.map((x, i) => {
        base += x.step;
        return { k: x.k, t: base + x.jitter, id: `${prefix}${i}` };
      });
    });
}

/** Sorted copies of JSON texts, to compare outputs whose interleaving of two inputs may differ. */
export function sortedJson(xs: readonly unknown[]): string[] {
  return xs.map((x) => JSON.stringify(x)).sort();
}
