/**
 * intervalJoin in a checkpointed job: both buffers (and the cleanup times that follow from them) and the
 * watermark are snapshotted by uid at a barrier and restored into a fresh pipeline; what an exactly-once
 * sink committed before the barrier plus the restored run's output equals an uninterrupted run, with
 * aligned and unaligned barriers (the overtaken records are replayed from the snapshot).
 */
import fc from 'fast-check';
import { map, Subject, VirtualTimeScheduler } from 'rxjs';
import {
  CheckpointBarrier,
  CheckpointError,
  fromCollection,
  intervalJoin,
  Job,
  keyBy,
  MemoryCheckpointStorage,
  StartElement,
  StreamRecord,
  Watermark,
  type OperatorSnapshot,
  type StreamElement,
} from '../../lib/index';
import { TOMBSTONE } from '../../lib/checkpoint/checkpoint-storage';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { type Cut, type Ev, eventsOf, keyOf, runJob, sortedJson, type TwoInputPipeline } from './two-input-job';

function joinPipeline(lower: number, upper: number): TwoInputPipeline {
  return (left, right) =>
    left.pipe(
      intervalJoin<Ev, Ev, string>(right, { between: [lower, upper], uid: 'join', process: (l, r) => `${l.id}-${r.id}` }),
    ) as ReturnType<TwoInputPipeline>;
}

/** The brute-force result: every pair of the same key with r.t in [l.t + lower, l.t + upper] (no record is late). */
function reference(lefts: readonly Ev[], rights: readonly Ev[], lower: number, upper: number): string[] {
  const out: string[] = [];
  for (const l of lefts) for (const r of rights) if (l.k === r.k && r.t >= l.t + lower && r.t <= l.t + upper) out.push(`${l.id}-${r.id}`);
  return out;
}

const bounds = fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 })).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));

function restoredEqualsUninterrupted(unaligned: boolean): Promise<void> {
  return fc.assert(
    fc.asyncProperty(eventsOf('l', 5), eventsOf('r', 5), bounds, fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 5 }), async (lefts, rights, [lower, upper], c, onRight, chunkSize) => {
      const pipeline = joinPipeline(lower, upper);
      const side: 0 | 1 = onRight ? 1 : 0;
      const cut: Cut = { side, at: 1 + (c % (side === 0 ? lefts : rights).length) };
      const storage = new MemoryCheckpointStorage();
      const checkpoints = { unaligned };
      const first = await runJob(pipeline, lefts, rights, storage, { cut, checkpoints, chunkSize });
      const expected = reference(lefts, rights, lower, upper);
      expect(sortedJson(first.all)).toEqual(sortedJson(expected));
      fc.pre(first.stats !== undefined); // both sources ended before the cut
      expect(first.stats!.status).toBe('completed');
      const restored = await runJob(pipeline, lefts, rights, storage, { checkpoints, chunkSize });
      expect(sortedJson([...first.committed, ...restored.all])).toEqual(sortedJson(expected));
    }),
    { numRuns: 150 },
  );
}

describe('intervalJoin in a checkpointed job', () => {
  it('restored at a random aligned barrier, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(false);
  });

  it('restored at a random unaligned barrier, replays the overtaken records and continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(true);
  });

  it('an unaligned checkpoint holds the records its barrier overtook, and the restored run joins them', async () => {
    // the right input's barrier arrives first (the left has a channel): the left's records behind it are
    // overtaken, joined by the first run after the barrier, and must be joined again after the restore
    const lefts: Ev[] = [0, 1, 2, 3].map((i) => ({ k: 1, t: i, id: `l${i}` }));
    const rights: Ev[] = [{ k: 1, t: 0, id: 'r0' }];
    const pipeline = joinPipeline(-10, 10);
    const storage = new MemoryCheckpointStorage();
    const first = await runJob(pipeline, lefts, rights, storage, { cut: { side: 1, at: 1 }, checkpoints: { unaligned: true }, chunkSize: 4 });
    expect(first.stats?.status).toBe('completed');
    // the right record arrives before the left records (which wait in their channel), so it is buffered
    // and all four pairs come from the left records, after the barrier: none is committed
    expect(first.committed).toEqual([]);
    expect(first.all).toEqual(['l0-r0', 'l1-r0', 'l2-r0', 'l3-r0']);
    const restored = await runJob(pipeline, lefts, rights, storage, { checkpoints: { unaligned: true }, chunkSize: 4 });
    expect(restored.all).toEqual(['l0-r0', 'l1-r0', 'l2-r0', 'l3-r0']);
  });

  it('writes only the changed keys in an incremental checkpoint, and a key whose buffers emptied as a tombstone', async () => {
    const job = new Job({ name: 'inc', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1_000_000 } });
    await job.prepare();
    const a = new Subject<StreamElement<Ev>>();
    const b = new Subject<StreamElement<Ev>>();
    a.pipe(intervalJoin<Ev, Ev, string>(b, { between: [0, 0], uid: 'join', process: (l, r) => `${l.id}-${r.id}` })).subscribe();
    const snapshots: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (_uid: string, s: unknown) => snapshots.push(s as OperatorSnapshot), decline: () => {} };
    const both = (x: StreamElement<Ev>): void => {
      a.next(x);
      b.next(x);
    };
    const rec = (k: number, t: number): StreamRecord<Ev> => new StreamRecord<Ev>({ k, t, id: `${k}@${t}` }, t, k);
    const fields = (s: OperatorSnapshot): Array<[string, boolean]> =>
      [...s.keyed!.values()].flat().map(([f, v]) => [f, v === TOMBSTONE] as [string, boolean]).sort();
    both(new StartElement(job.context(false)));
    for (let k = 0; k < 20; k++) a.next(rec(k, 10));
    both(new CheckpointBarrier(1, 0, 'checkpoint', acknowledger, false, true));
    expect(snapshots[0]!.incremental).toBe(false);
    expect(fields(snapshots[0]!)).toHaveLength(20);
    // key 3 gets a right element at 10, key 5 one at 30 (cleaned up only at 30)
    b.next(rec(3, 10));
    b.next(rec(5, 30));
    both(new CheckpointBarrier(2, 0, 'checkpoint', acknowledger, false, false));
    expect(snapshots[1]!.incremental).toBe(true);
    expect(fields(snapshots[1]!)).toEqual([['3', false], ['5', false]]);
    // the watermark passes 10: every key's buffers at 10 empty; key 5 keeps its right element
    both(new Watermark(10));
    both(new CheckpointBarrier(3, 0, 'checkpoint', acknowledger, false, false));
    const third = fields(snapshots[2]!);
    expect(third).toHaveLength(20);
    expect(third.filter(([, tomb]) => !tomb)).toEqual([['5', false]]);
    expect(snapshots[2]!.operator).toContainEqual(['watermark', '10']);
  });

  it('past alignmentBufferLimit, the join declines the checkpoint, which fails; within tolerableFailures the job runs to its end', async () => {
    const lefts: Ev[] = Array.from({ length: 8 }, (_, i) => ({ k: i % 2, t: i, id: `l${i}` }));
    const rights: Ev[] = Array.from({ length: 12 }, (_, i) => ({ k: i % 2, t: i, id: `r${i}` }));
    const pipeline = joinPipeline(-2, 2);
    const storage = new MemoryCheckpointStorage();
    const run = runJob(pipeline, lefts, rights, storage, { cut: { side: 0, at: 6 }, checkpoints: { alignmentBufferLimit: 1, tolerableFailures: 1 }, chunkSize: 4 });
    await expect(run).rejects.toThrow(/checkpoint 1 was declined by "intervalJoin": intervalJoin: input 1 buffered more than alignmentBufferLimit \(1\) elements while aligning checkpoint 1/);
    // (runJob rejects only after the job completed without error) with the default bound the same cut completes
    const ok = await runJob(pipeline, lefts, rights, new MemoryCheckpointStorage(), { cut: { side: 0, at: 6 }, chunkSize: 4 });
    expect(ok.stats?.status).toBe('completed');
    expect(sortedJson(ok.all)).toEqual(sortedJson(reference(lefts, rights, -2, 2)));
  });

  it('refuses an interval join without a uid when the job checkpoints, naming it', async () => {
    const job = new Job({ name: 'uids', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 10 } });
    await job.prepare();
    let error: unknown;
    const side = fromCollection<Ev>([], { job, uid: 'b' }).pipe(keyBy(keyOf));
    fromCollection<Ev>([{ k: 1, t: 0, id: 'a' }], { job, uid: 'a' })
      .pipe(keyBy(keyOf), intervalJoin(side, { between: [0, 1], process: () => 'x' }), map((x) => x))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/intervalJoin: job "uids" checkpoints, so this stateful operator needs a uid/);
  });
});

describe('intervalJoin checkpoints in Redis', () => {
  it('restores both buffers from a real Redis into a fresh pipeline, and leaves no keys behind', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('ijoin');
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const lefts: Ev[] = Array.from({ length: 30 }, (_, i) => ({ k: i % 4, t: i, id: `l${i}` }));
      const rights: Ev[] = Array.from({ length: 30 }, (_, i) => ({ k: i % 3, t: i + 1, id: `r${i}` }));
      const pipeline = joinPipeline(-3, 2);
      const first = await runJob(pipeline, lefts, rights, storage, { name: 'redis-join', cut: { side: 1, at: 17 }, checkpoints: { unaligned: true }, chunkSize: 4 });
      expect(first.stats?.status).toBe('completed');
      expect(first.stats!.entries).toBeGreaterThan(2); // the join's keys, not only the sources' offsets
      const restored = await runJob(pipeline, lefts, rights, storage, { name: 'redis-join', checkpoints: { unaligned: true }, chunkSize: 4 });
      expect(sortedJson([...first.committed, ...restored.all])).toEqual(sortedJson(reference(lefts, rights, -3, 2)));
    } finally {
      await storage.discardJob('redis-join');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });
});
