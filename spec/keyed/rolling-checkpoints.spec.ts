/**
 * Rolling aggregations in a checkpointed job: they register by uid, acknowledge each barrier with their
 * per-key state as keyed parts (only the changed keys in an incremental checkpoint), and a new run of the
 * job restores them, so the output of the run that stopped (up to its last checkpoint) followed by the
 * restored run's equals an uninterrupted run.
 */
import fc from 'fast-check';
import { map, type Observable, VirtualTimeScheduler } from 'rxjs';
import {
  CheckpointError,
  fromCollection,
  Job,
  keyBy,
  maxBy,
  MemoryCheckpointStorage,
  minBy,
  reduce,
  sum,
  values,
  type CheckpointStats,
  type CheckpointStorage,
} from '../../lib/index';
import { TOMBSTONE } from '../../lib/checkpoint/checkpoint-storage';
import { keyGroupOf, subtaskForKeyGroup } from '../../lib/keyed/key-group';
import { RollingState, RollingStates } from '../../lib/keyed/rolling-aggregate-internals';
import { defaultStateSerializer } from '../../lib/state/serializer';

interface Ev {
  k: number;
  v: number;
  t: number;
}

type Pipeline = (job: Job, events: readonly Ev[], chunkSize: number) => Observable<string>;

const sums: Pipeline = (job, events, chunkSize) =>
  fromCollection(events, { job, uid: 'events', chunkSize }).pipe(
    keyBy((e) => e.k),
    sum<Ev>('v', { uid: 'sum' }),
    keyBy((e) => `s${e.k % 3}`),
    reduce<Ev>((a, b) => ({ k: a.k, v: a.v * 2 + b.v, t: Math.max(a.t, b.t) }), { uid: 'reduce' }),
    values(),
    map((x) => JSON.stringify(x)),
  );

const extremes: Pipeline = (job, events, chunkSize) =>
  fromCollection(events, { job, uid: 'events', chunkSize }).pipe(
    keyBy((e) => [e.k % 4, e.k % 3 === 0]),
    minBy<Ev>('v', false, { uid: 'minBy' }),
    keyBy((e) => BigInt(e.k % 5)),
    maxBy<Ev>('t', true, { uid: 'maxBy' }),
    values(),
    map((x) => JSON.stringify(x)),
  );

function newJob(name: string, storage: CheckpointStorage, scheduler: VirtualTimeScheduler): Job {
  return new Job({ name, scheduler, checkpoints: { interval: 1_000_000, storage } });
}

/** Runs the job (restoring what `storage` holds for it) to the end and returns its output. */
async function runAll(pipeline: Pipeline, events: readonly Ev[], storage: CheckpointStorage, name: string): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  let done = false;
  pipeline(job, events, 5).subscribe({ next: (x) => out.push(x), complete: () => (done = true) });
  scheduler.flush();
  expect(done).toBe(true);
  return out;
}

/**
 * Emits records and triggers a checkpoint after the outputs numbered in `cuts` (the barrier follows that
 * record), waits for them, then stops without running further (as a crash would).
 */
async function runWithCheckpoints(pipeline: Pipeline, events: readonly Ev[], storage: CheckpointStorage, name: string, cuts: readonly number[]): Promise<{ out: string[]; stats: CheckpointStats[] }> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  const triggered: Array<Promise<CheckpointStats>> = [];
  let paused = false;
  // One chunk holds every event; a barrier queued during it ends the chunk, the next waits for the scheduler.
  const sub = pipeline(job, events, events.length + 1).subscribe((x) => {
    out.push(x);
    if (cuts.includes(out.length)) {
      triggered.push(job.coordinator!.trigger());
      paused = out.length === cuts[cuts.length - 1]!;
    }
  });
  // Runs the source's chunks (the actions due now) until the last cut, never the later ones: a crash there.
  while (!paused && scheduler.actions.length > 0 && scheduler.actions[0]!.delay === 0) {
    const action = scheduler.actions.shift()!;
    const error = action.execute(action.state, action.delay);
    if (error !== undefined) throw error;
  }
  expect(triggered).toHaveLength(cuts.length);
  const stats = await Promise.all(triggered);
  sub.unsubscribe();
  return { out, stats };
}

const events = (maxKey: number): fc.Arbitrary<Ev[]> =>
  fc.array(fc.record({ k: fc.integer({ min: 0, max: maxKey }), v: fc.integer({ min: -9, max: 9 }), t: fc.integer({ min: 0, max: 100 }) }), { minLength: 2, maxLength: 40 });

function restoredEqualsUninterrupted(pipeline: Pipeline): Promise<void> {
  return fc.assert(
    fc.asyncProperty(events(12), fc.nat(), fc.nat(), async (evs, a, b) => {
      const c1 = 1 + (a % (evs.length - 1));
      const c2 = c1 + 1 + (b % (evs.length - c1));
      const storage = new MemoryCheckpointStorage();
      const expected = await runAll(pipeline, evs, new MemoryCheckpointStorage(), 'reference');
      // a full checkpoint at c1, an incremental one at c2: the restore reads the chain
      const { out: before, stats } = await runWithCheckpoints(pipeline, evs, storage, 'job', [c1, c2]);
      expect(stats.map((s) => [s.status, s.full])).toEqual([
        ['completed', true],
        ['completed', false],
      ]);
      const after = await runAll(pipeline, evs, storage, 'job');
      expect([...before, ...after]).toEqual(expected);
    }),
    { numRuns: 40 },
  );
}

describe('rolling aggregations in a checkpointed job', () => {
  it('sum and reduce, restored at a random incremental checkpoint, continue as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(sums);
  });

  it('minBy and maxBy (array and bigint keys), restored at a random incremental checkpoint, continue as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(extremes);
  });

  it('writes only the changed keys in an incremental checkpoint', async () => {
    const keys = 1_000;
    const evs: Ev[] = Array.from({ length: keys }, (_, i) => ({ k: i, v: 1, t: 0 }));
    // 10 changes to 7 distinct keys, 3 of them new
    for (const k of [3, 3, 500, 999, 3, 1000, 1001, 1002, 500, 7]) evs.push({ k, v: 2, t: 1 });
    const pipeline: Pipeline = (job, es, chunkSize) => fromCollection(es, { job, uid: 'events', chunkSize }).pipe(keyBy((e) => e.k), sum<Ev>('v', { uid: 'sum' }), values(), map((x) => JSON.stringify(x)));
    const { stats } = await runWithCheckpoints(pipeline, evs, new MemoryCheckpointStorage(), 'incremental', [keys, evs.length]);
    // one entry per key, plus the source's offset
    expect(stats.map((s) => [s.full, s.entries])).toEqual([
      [true, keys + 1],
      [false, 7 + 1],
    ]);
  });

  it('refuses a rolling aggregation without a uid when the job checkpoints, naming it', async () => {
    const job = new Job({ name: 'uids', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 10 } });
    await job.prepare();
    let error: unknown;
    fromCollection([{ k: 1, v: 1, t: 0 }], { job, uid: 's' })
      .pipe(keyBy((e) => e.k), sum<Ev>('v', { name: 'total' }))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/total: job "uids" checkpoints, so this stateful operator needs a uid/);
  });

  it('writes a tombstone for a removed key, and restores only the key groups its subtask owns', () => {
    const states = new RollingStates<string, number>(undefined, () => 0);
    for (let k = 0; k < 50; k++) states.add(k, k, new RollingState(`r${k}`, k, true));
    states.startChangeTracking();
    const full = states.snapshotParts(true, 16);
    states.remove(7, states.states.get(7)!);
    const s8 = states.states.get(8)!;
    s8.acc = 80;
    states.touch(8, s8);
    const increment = states.snapshotParts(false, 16);
    const flat = [...increment.values()].flat();
    expect(flat).toHaveLength(2);
    expect(increment.get(keyGroupOf(7, 16))).toContainEqual([defaultStateSerializer.serialize(7), TOMBSTONE]);
    expect(increment.get(keyGroupOf(8, 16))).toContainEqual([defaultStateSerializer.serialize(8), defaultStateSerializer.serialize(['r8', 80])]);
    // the chain full + increment, as the coordinator restores it, into subtask 1 of 2
    const keyed = new Map<number, Map<string, string>>();
    for (const parts of [full, increment]) {
      for (const [g, entries] of parts) {
        const m = keyed.get(g) ?? new Map<string, string>();
        keyed.set(g, m);
        for (const [f, v] of entries) {
          if (v === TOMBSTONE) m.delete(f);
          else m.set(f, v);
        }
      }
    }
    const restored = new RollingStates<string, number>(undefined, () => 0);
    restored.restoreParts({ parts: true, checkpointId: 2, keyed, operator: new Map() }, (g) => subtaskForKeyGroup(g, 16, 2) === 1, false);
    const expected = Array.from({ length: 50 }, (_, k) => k).filter((k) => k !== 7 && subtaskForKeyGroup(keyGroupOf(k, 16), 16, 2) === 1);
    expect(expected.length).toBeGreaterThan(0);
    expect([...restored.states.keys()].sort((a, b) => (a as number) - (b as number))).toEqual(expected);
    for (const k of expected) expect(restored.states.get(k)!.acc).toBe(k === 8 ? 80 : k);
  });

  it('a deferred snapshot copies the changed keys at the barrier: changes after it are not in it', () => {
    const states = new RollingStates<string, number>(undefined, () => 0);
    for (let k = 0; k < 10; k++) states.add(k, k, new RollingState(`r${k}`, k, true));
    states.startChangeTracking();
    const s3 = states.states.get(3)!;
    s3.acc = 30;
    states.touch(3, s3);
    const deferred = states.snapshotDeferred(false, 16);
    s3.acc = 300; // after the barrier, before the coordinator serializes
    states.touch(3, s3);
    const out: Array<[number, string, string]> = [];
    deferred.serialize(0, deferred.size, (g, f, v) => out.push([g, f, v]));
    expect(out).toEqual([[keyGroupOf(3, 16), defaultStateSerializer.serialize(3), defaultStateSerializer.serialize(['r3', 30])]]);
    // the change after the barrier is in the next increment
    const next = states.snapshotParts(false, 16);
    expect([...next.values()].flat()).toEqual([[defaultStateSerializer.serialize(3), defaultStateSerializer.serialize(['r3', 300])]]);
  });
});
