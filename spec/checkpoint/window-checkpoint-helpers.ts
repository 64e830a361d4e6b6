/**
 * Runs a windowed job twice over the same input: once without interruption, and once cut at checkpoint
 * barriers after chosen input records (the run then stops, as a crash would) and restored into a fresh
 * pipeline from the storage. The output of the cut run up to its last barrier followed by the restored
 * run's must equal the uninterrupted run's.
 *
 * Event time: each event carries its timestamp `t`, and the watermark follows every record (bounded
 * out-of-orderness, per-event emit), so it is a function of the input alone. Processing time: each
 * event reaches the pipeline at virtual processing time `pt` (a VirtualTimeScheduler), and the restored
 * run's clock starts where the cut run's barrier passed the window.
 */
import fc from 'fast-check';
import { concatMap, defer, map, type Observable, of, type OperatorFunction, tap, timer, VirtualTimeScheduler } from 'rxjs';
import {
  assignWatermarks,
  CheckpointBarrier,
  fromCollection,
  isElement,
  Job,
  keyBy,
  MemoryCheckpointStorage,
  SideOutput,
  StreamRecord,
  WatermarkStrategy,
  type CheckpointStats,
  type CheckpointStorage,
  type StreamElement,
} from '../../lib/index';

/** One input event: key, value, event time and (for processing-time windows) arrival time. */
export interface Ev {
  k: number;
  v: number;
  t: number;
  pt?: number;
}

/** The windowed part of a job: from keyed (or not) records with timestamps to results (key types vary). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Windowing = OperatorFunction<any, unknown>;

export interface Scenario {
  /** The window operator(s) under test, applied after keyBy (or without it when `keyed` is false). */
  readonly windowing: () => Windowing;
  /** Bounded out-of-orderness of the watermark (event time); default 5. */
  readonly outOfOrderness?: number;
  /** Whether the stream is keyed by `k` (default true). */
  readonly keyed?: boolean;
  /** Events arrive at processing time `pt`. */
  readonly processingTime?: boolean;
}

function pipeline(s: Scenario, job: Job, scheduler: VirtualTimeScheduler, events: readonly Ev[], hooks: { onInput?: (n: number) => void; onBarrier?: () => void }): Observable<string> {
  let n = 0;
  let stream: Observable<StreamElement<Ev>> = fromCollection(events, { job, uid: 'events', chunkSize: events.length + 1 }).pipe(
    tap((x) => {
      if (!isElement(x)) hooks.onInput?.(++n);
    }),
  );
  if (s.processingTime === true) {
    // each record waits for its arrival time; control elements follow in order
    stream = stream.pipe(
      concatMap((x) => (isElement(x) ? of(x) : defer(() => timer(Math.max(0, (x as Ev).pt! - scheduler.now()), scheduler).pipe(map(() => x))))),
    );
  }
  const timed = stream.pipe(assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(s.outOfOrderness ?? 5).withTimestampAssigner((e) => e.t).withPerEventEmit(), { interval: 0 }));
  const windowed = s.keyed === false ? timed.pipe(s.windowing()) : timed.pipe(keyBy((e: Ev) => e.k), s.windowing());
  return windowed.pipe(
    tap((x) => {
      if (x instanceof CheckpointBarrier) hooks.onBarrier?.();
    }),
    printable(),
  );
}

/** Records (value, timestamp, key) and side outputs (tag, value, timestamp) as strings; control elements dropped. */
function printable(): OperatorFunction<unknown, string> {
  return concatMap((x: unknown) => {
    if (x instanceof StreamRecord) return of(JSON.stringify([x.value, x.timestamp, x.key]));
    if (x instanceof SideOutput) return of(JSON.stringify([x.tag.id, x.record.value, x.record.timestamp]));
    if (isElement(x)) return [];
    return of(JSON.stringify(x));
  });
}

function newJob(name: string, storage: CheckpointStorage, scheduler: VirtualTimeScheduler): Job {
  return new Job({ name, scheduler, checkpoints: { interval: 1_000_000_000, storage } });
}

/** Runs the job to the end (restoring what `storage` holds for it, on a clock starting at `startTime`). */
export async function runAll(s: Scenario, events: readonly Ev[], storage: CheckpointStorage, name: string, startTime = 0): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  scheduler.frame = startTime;
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  let done = false;
  let error: unknown;
  pipeline(s, job, scheduler, events, {}).subscribe({ next: (x) => out.push(x), complete: () => (done = true), error: (e: unknown) => (error = e) });
  scheduler.flush();
  if (error !== undefined) throw error;
  expect(done).toBe(true);
  return out;
}

/**
 * Triggers a checkpoint after each input record numbered in `cuts`, runs until the last barrier has
 * passed the window operator, waits for the checkpoints to complete, and stops there. Returns the output
 * before the last barrier (what came after it is replayed by the restored run, as an exactly-once sink
 * would discard it) and the processing time at the last barrier.
 */
export async function runWithCheckpoints(
  s: Scenario,
  events: readonly Ev[],
  storage: CheckpointStorage,
  name: string,
  cuts: readonly number[],
): Promise<{ out: string[]; stats: CheckpointStats[]; time: number }> {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  // Another source of the job keeps running (so the checkpoints complete even when this source has sent
  // its last record while the records wait for their processing time).
  const otherSource = job.sourceStarted(() => {});
  const out: string[] = [];
  const triggered: Array<Promise<CheckpointStats>> = [];
  let barriers = 0;
  let time = 0;
  /** How much output came before the last barrier (what follows it is replayed after a restore). */
  let atBarrier = 0;
  let error: unknown;
  const sub = pipeline(s, job, scheduler, events, {
    onInput: (n) => {
      if (cuts.includes(n)) triggered.push(job.coordinator!.trigger());
    },
    onBarrier: () => {
      barriers++;
      time = scheduler.now();
      atBarrier = out.length;
    },
  }).subscribe({ next: (x) => out.push(x), error: (e: unknown) => (error = e) });
  // run the scheduler's actions one by one until the last barrier has passed (never further: a crash there)
  while (barriers < cuts.length && scheduler.actions.length > 0) {
    const action = scheduler.actions.shift()!;
    scheduler.frame = action.delay;
    const err = action.execute(action.state, action.delay);
    if (err !== undefined) throw err;
  }
  if (error !== undefined) throw error;
  expect(barriers).toBe(cuts.length);
  const stats = await Promise.all(triggered);
  sub.unsubscribe();
  otherSource();
  return { out: out.slice(0, atBarrier), stats, time };
}

/** Random events: keys 0..maxKey, small values, event times mostly increasing with some disorder. */
export function events(options: { maxKey?: number; maxLength?: number; spread?: number } = {}): fc.Arbitrary<Ev[]> {
  const spread = options.spread ?? 3;
  return fc
    .array(fc.record({ k: fc.integer({ min: 0, max: options.maxKey ?? 4 }), v: fc.integer({ min: 1, max: 9 }), dt: fc.integer({ min: -12, max: spread }), gap: fc.integer({ min: 1, max: 3 }) }), {
      minLength: 2,
      maxLength: options.maxLength ?? 40,
    })
    .map((list) => {
      let clock = 0;
      let pt = 0;
      return list.map(({ k, v, dt, gap }) => {
        clock += Math.max(0, dt);
        pt += 2 * gap; // even arrival times (timers of the windows under test fire at odd times)
        return { k, v, t: Math.max(0, clock + Math.min(0, dt)), pt };
      });
    });
}

/**
 * The property: cut at one or two random barriers (a full checkpoint, then an incremental one), restore
 * from the storage, and the output equals the uninterrupted run's.
 */
export function restoredEqualsUninterrupted(s: Scenario, arb: fc.Arbitrary<Ev[]> = events(), numRuns = 40): Promise<void> {
  return fc.assert(
    fc.asyncProperty(arb, fc.nat(), fc.nat(), fc.boolean(), async (evs, a, b, two) => {
      const c1 = 1 + (a % (evs.length - 1));
      const c2 = c1 + 1 + (b % (evs.length - c1));
      await checkRestore(s, evs, two ? [c1, c2] : [c1]);
    }),
    { numRuns },
  );
}

/**
 * Cuts the run at `cuts` (a full checkpoint, then incremental ones), restores from the storage, and
 * checks the output against an uninterrupted run's; returns the uninterrupted output.
 */
export async function checkRestore(s: Scenario, evs: readonly Ev[], cuts: readonly number[], storage: CheckpointStorage = new MemoryCheckpointStorage()): Promise<string[]> {
  const expected = await runAll(s, evs, new MemoryCheckpointStorage(), 'reference');
  const { out: before, stats, time } = await runWithCheckpoints(s, evs, storage, 'job', cuts);
  expect(stats.map((st) => [st.status, st.full])).toEqual(cuts.map((_, i) => ['completed', i === 0]));
  const after = await runAll(s, evs, storage, 'job', time);
  expect([...before, ...after]).toEqual(expected);
  return expected;
}

/** Events where the first one after the cut (after 2) is late: only a restored watermark says so. */
export const lateAfterCut: Ev[] = [
  { k: 1, v: 1, t: 0 },
  { k: 1, v: 2, t: 40 },
  { k: 1, v: 4, t: 1 },
  { k: 1, v: 8, t: 41 },
];
