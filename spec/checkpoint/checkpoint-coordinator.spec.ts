import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { CheckpointBarrier } from '../../lib/core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError } from '../../lib/core/errors';
import { MetricGroup } from '../../lib/core/metrics';
import {
  CheckpointCoordinator,
  type CheckpointConfig,
  type CheckpointStats,
  type DeferredKeyedState,
  type OperatorSnapshot,
  type RestoredParts,
  SERIALIZE_SLICE,
} from '../../lib/checkpoint/checkpoint-coordinator';
import { TOMBSTONE } from '../../lib/checkpoint/checkpoint-storage';
import { MemoryCheckpointStorage } from '../../lib/checkpoint/memory-checkpoint-storage';
import { RedisCheckpointStorage } from '../../lib/redis/redis-checkpoint-storage';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';

/** Lets every pending promise (memory storage writes) settle. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

async function setup(config: Partial<CheckpointConfig> = {}, job = 'job', restore = true) {
  const scheduler = new VirtualTimeScheduler();
  const storage = config.storage ?? new MemoryCheckpointStorage();
  const metrics = new MetricGroup(job);
  const fatal: Error[] = [];
  const c = new CheckpointCoordinator(job, { interval: 100, ...config, storage }, scheduler, metrics, (e) => fatal.push(e));
  const barriers: CheckpointBarrier[] = [];
  c.registerSource({ uid: 'src', emitBarrier: (b) => barriers.push(b) });
  const stats: CheckpointStats[] = [];
  c.stats.subscribe((s) => stats.push(s));
  /** Runs the scheduler up to virtual time `t`. */
  const until = (t: number): void => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const restored = restore ? await c.restore() : undefined;
  return { c, scheduler, storage, metrics, fatal, barriers, stats, until, restored };
}

const parts = (keyed: Array<[number, Array<[string, string]>]>, extra: Partial<OperatorSnapshot> = {}): OperatorSnapshot => ({ parts: true, keyed: new Map(keyed), ...extra });

describe('CheckpointCoordinator', () => {
  it('triggers on the scheduler, and completes only when every participant acknowledged and its writes landed', async () => {
    const { c, storage, barriers, stats, until, metrics } = await setup();
    c.register('a');
    c.register('b');
    c.start();
    until(99);
    expect(barriers).toEqual([]);
    until(100);
    await settle();
    expect(barriers.map((b) => [b.checkpointId, b.timestamp, b.full])).toEqual([[1, 100, true]]);
    barriers[0]!.acknowledger!.acknowledge('a', parts([[3, [['k', '1']]]], { syncMillis: 2 }));
    await settle();
    expect(stats).toEqual([]);
    expect(await storage.latestCheckpoint('job')).toBeUndefined();
    barriers[0]!.acknowledger!.acknowledge('b', parts([], { operator: [['offset', '7']] }));
    await settle();
    expect(stats).toEqual([{ checkpointId: 1, kind: 'checkpoint', status: 'completed', triggeredAt: 100, duration: 0, bytes: 2 + 7, entries: 2, full: true, longestSyncPause: 2 }]);
    const meta = (await storage.latestCheckpoint('job'))!;
    expect(meta.operators.map((o) => [o.uid, o.handles.map((h) => h.keyGroup)])).toEqual([['a', [3]], ['b', [-1]]]);
    expect(metrics.counterValue('numberOfCompletedCheckpoints')).toBe(1);
    expect(metrics.snapshot()).toMatchObject({ lastCheckpointDuration: 0, lastCheckpointSize: 9, numberOfInProgressCheckpoints: 0 });
    // The next trigger comes one interval later.
    until(200);
    expect(barriers.map((b) => b.checkpointId)).toEqual([1, 2]); // at the trigger's virtual time, synchronously
    c.stop();
  });

  it('does not trigger while maxConcurrent checkpoints are in progress, and waits minPause after one ends', async () => {
    const { c, barriers, until } = await setup({ minPause: 150 });
    c.register('a');
    c.start();
    until(100);
    await settle();
    until(300); // checkpoint 1 is still in progress at 200 and 300
    expect(barriers).toHaveLength(1);
    barriers[0]!.acknowledger!.acknowledge('a', parts([]));
    await settle(); // ended at 300
    until(400); // 100 ms after the end: within minPause
    expect(barriers).toHaveLength(1);
    until(500);
    await settle();
    expect(barriers).toHaveLength(2);
    c.stop();
  });

  it('fails a checkpoint past its timeout; past tolerableFailures the job fails with a CheckpointError', async () => {
    const { c, stats, fatal, until, barriers } = await setup({ timeout: 50, tolerableFailures: 1 });
    c.register('slow');
    c.start();
    until(100);
    await settle();
    until(150);
    await settle();
    expect(stats.map((s) => [s.checkpointId, s.status, s.failure])).toEqual([[1, 'failed', expect.stringMatching(/checkpoint 1 expired after 50 ms .*waiting for "slow"/)]]);
    expect(fatal).toEqual([]); // one failure is tolerated
    until(200);
    await settle();
    until(250);
    await settle();
    expect(stats.map((s) => s.status)).toEqual(['failed', 'failed']);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(CheckpointError);
    expect(fatal[0]!.message).toMatch(/2 checkpoint\(s\) failed in a row, more than checkpoints.tolerableFailures \(1\)/);
    // The coordinator stopped: no more barriers.
    until(1000);
    expect(barriers).toHaveLength(2);
  });

  it('a failure is forgiven by a success; a decline fails the checkpoint and the next one is full', async () => {
    const { c, stats, fatal, until, barriers } = await setup({ tolerableFailures: 1 });
    c.register('a');
    c.start();
    const round = async (t: number, f: (b: CheckpointBarrier) => void): Promise<void> => {
      until(t);
      await settle();
      f(barriers[barriers.length - 1]!);
      await settle();
    };
    await round(100, (b) => b.acknowledger!.acknowledge('a', parts([[1, [['x', '1']]]])));
    await round(200, (b) => b.acknowledger!.decline('a', new Error('disk full')));
    await round(300, (b) => b.acknowledger!.acknowledge('a', parts([[1, [['x', '2']]]], { incremental: true })));
    await round(400, (b) => b.acknowledger!.decline('a', new Error('again')));
    expect(stats.map((s) => s.status)).toEqual(['completed', 'failed', 'completed', 'failed']);
    expect(stats[1]!.failure).toMatch(/declined by "a": disk full/);
    expect(fatal).toEqual([]);
    expect(barriers.map((b) => b.full)).toEqual([true, false, true, false]);
    c.stop();
  });

  it('refuses to trigger before restore() found the ids in use, and continues after every id in storage', async () => {
    const storage = new MemoryCheckpointStorage();
    const { c } = await setup({ storage }, 'job', false);
    await expect(c.trigger()).rejects.toThrow(/restore\(\) must run before the first checkpoint/);
    await storage.nextCheckpointId('job');
    await storage.nextCheckpointId('job'); // ids 1 and 2 were given before a crash
    const { c: next, barriers } = await setup({ storage });
    next.register('a');
    const done = next.trigger();
    expect(barriers.map((b) => b.checkpointId)).toEqual([3]);
    barriers[0]!.acknowledger!.acknowledge('a', parts([]));
    await done;
  });

  it('refuses a second participant or source with the same uid, naming it', async () => {
    const { c } = await setup();
    c.register('counts');
    expect(() => c.register('counts')).toThrow(/two stateful operators have the uid "counts"/);
    expect(() => c.registerSource({ uid: 'src', emitBarrier: () => {} })).toThrow(CheckpointError);
  });

  it('refuses bad config with an InvalidArgumentError naming the option', () => {
    const s = new VirtualTimeScheduler();
    const make = (cfg: CheckpointConfig) => () => new CheckpointCoordinator('j', cfg, s, new MetricGroup());
    expect(make({ interval: 0 })).toThrow(/checkpoints.interval must be a finite number > 0, got 0/);
    expect(make({ interval: NaN })).toThrow(InvalidArgumentError);
    expect(make({ interval: 10, maxConcurrent: 0 })).toThrow(/checkpoints.maxConcurrent/);
    expect(make({ interval: 10, mode: 'at-least-once', unaligned: true })).toThrow(/checkpoints.unaligned needs mode 'exactly-once'/);
    expect(make({ interval: 10, retained: 0 })).toThrow(/checkpoints.retained/);
  });

  it('incremental checkpoints chain per key group, a full one every fullEvery, and restore applies the chain with tombstones', async () => {
    const storage = new MemoryCheckpointStorage();
    const { c, until, barriers, stats } = await setup({ storage, fullEvery: 3, retained: 2 });
    c.register('op');
    c.start();
    const acks: OperatorSnapshot[] = [
      parts([[1, [['a', '1'], ['b', '1']]], [2, [['c', '1']]]]),
      parts([[1, [['a', '2'], ['b', TOMBSTONE]]]], { incremental: true }), // key group 2 unchanged
      parts([[2, [['d', '1']]]], { incremental: true }),
    ];
    for (let i = 0; i < acks.length; i++) {
      until(100 * (i + 1));
      await settle();
      barriers[i]!.acknowledger!.acknowledge('op', acks[i]);
      await settle();
    }
    expect(stats.map((s) => [s.status, s.full])).toEqual([['completed', true], ['completed', false], ['completed', false]]);
    c.stop();
    const { c: fresh, restored: all } = await setup({ storage });
    const restored = all!.get('op') as RestoredParts;
    expect(restored.checkpointId).toBe(3);
    expect(restored.keyed).toEqual(new Map([[1, new Map([['a', '2']])], [2, new Map([['c', '1'], ['d', '1']])]]));
    // Retention keeps 2 checkpoints, but every part the chain needs is still there.
    expect(await storage.listCheckpoints('job')).toEqual([2, 3]);
    // The fourth is full (fullEvery 3), and the chain continues after a restore.
    fresh.register('op');
    const b: CheckpointBarrier[] = [];
    fresh.registerSource({ uid: 'src2', emitBarrier: (x) => b.push(x) });
    const done = fresh.trigger();
    await settle();
    expect(b[0]!.full).toBe(false);
    b[0]!.acknowledger!.acknowledge('op', parts([[1, [['a', TOMBSTONE]]]], { incremental: true }));
    await done;
    const again = (await setup({ storage })).restored!.get('op') as RestoredParts;
    expect(again.keyed.get(1)).toEqual(new Map());
    expect(again.keyed.get(2)).toEqual(new Map([['c', '1'], ['d', '1']]));
  });

  it('writes any other acknowledged handle whole with the default serializer, and restores it equal', async () => {
    const { c, storage } = await setup();
    c.register('legacy');
    const b: CheckpointBarrier[] = [];
    c.registerSource({ uid: 's2', emitBarrier: (x) => b.push(x) });
    const done = c.trigger();
    await settle();
    const handle = { keyed: new Map([['k', { n: 1n, at: new Date(5) }]]), timers: [1, 2] };
    b[0]!.acknowledger!.acknowledge('legacy', handle);
    await done;
    expect((await setup({ storage })).restored!.get('legacy')).toEqual(handle);
    // A handle that cannot be written fails the checkpoint with the reason.
    const next = c.trigger();
    await settle();
    b[1]!.acknowledger!.acknowledge('legacy', { f: () => 1 });
    await expect(next).rejects.toThrow(/the state of "legacy" cannot be written: .*a function is not data/);
  });

  it('a storage write that fails fails the checkpoint (and aborts its parts); the next one succeeds', async () => {
    const storage = new MemoryCheckpointStorage();
    let failNext = true;
    const flaky = Object.assign(Object.create(storage) as MemoryCheckpointStorage, {
      writeState: (...args: Parameters<MemoryCheckpointStorage['writeState']>) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        }
        return storage.writeState(...args);
      },
    });
    const { c, stats, fatal } = await setup({ storage: flaky, tolerableFailures: 1 });
    c.register('a');
    const b: CheckpointBarrier[] = [];
    c.registerSource({ uid: 's2', emitBarrier: (x) => b.push(x) });
    const first = c.trigger();
    await settle();
    b[0]!.acknowledger!.acknowledge('a', parts([[0, [['k', '1']]]]));
    await expect(first).rejects.toThrow(/writing state to memory failed: connection lost/);
    const second = c.trigger();
    await settle();
    b[1]!.acknowledger!.acknowledge('a', parts([[0, [['k', '2']]]]));
    await second;
    expect(stats.map((s) => s.status)).toEqual(['failed', 'completed']);
    expect(fatal).toEqual([]);
  });

  it('savepoints are full, named, kept apart from checkpoints, and restorable by name', async () => {
    const { c, storage } = await setup();
    c.register('a');
    const b: CheckpointBarrier[] = [];
    c.registerSource({ uid: 's2', emitBarrier: (x) => b.push(x) });
    await expect(c.trigger({ kind: 'savepoint', name: '' })).rejects.toThrow(/a savepoint name must be a non-empty string/);
    const sp = c.trigger({ kind: 'savepoint', name: 'v1' });
    await settle();
    expect(b[0]!.type).toBe('savepoint');
    expect(b[0]!.full).toBe(true);
    b[0]!.acknowledger!.acknowledge('a', parts([[0, [['k', '1']]]]));
    await sp;
    expect(await storage.latestCheckpoint('job')).toBeUndefined();
    const r = (await (await setup({ storage }, 'job', false)).c.restore({ savepoint: 'v1' }))!.get('a') as RestoredParts;
    expect(r.keyed.get(0)).toEqual(new Map([['k', '1']]));
    await expect((await setup({ storage }, 'job', false)).c.restore({ savepoint: 'nope' })).rejects.toThrow(/there is no savepoint "nope" of job "job"/);
  });

  it('refuses to restore a checkpoint taken with another maxParallelism', async () => {
    const { c, storage } = await setup();
    c.register('a');
    const b: CheckpointBarrier[] = [];
    c.registerSource({ uid: 's2', emitBarrier: (x) => b.push(x) });
    const done = c.trigger();
    await settle();
    b[0]!.acknowledger!.acknowledge('a', parts([]));
    await done;
    const other = new CheckpointCoordinator('job', { interval: 100, storage }, new VirtualTimeScheduler(), new MetricGroup(), () => {}, 256);
    await expect(other.restore()).rejects.toThrow(/maxParallelism 128, the job has 256/);
  });

  it('checkpoints to a real Redis and restores from it in a new coordinator', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('coord');
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const { c } = await setup({ storage }, 'redis-job');
      c.register('counts');
      const b: CheckpointBarrier[] = [];
      c.registerSource({ uid: 's2', emitBarrier: (x) => b.push(x) });
      const done = c.trigger();
      const stats = firstValueFrom(c.stats);
      while (b.length === 0) await settle();
      const entries: Array<[string, string]> = Array.from({ length: 3000 }, (_, i) => [`k${i}`, String(i)]);
      b[0]!.acknowledger!.acknowledge('counts', parts([[5, entries], [6, [['x', '"y"']]]]));
      await done;
      expect((await stats).entries).toBe(3001);
      const restored = (await setup({ storage }, 'redis-job')).restored!.get('counts') as RestoredParts;
      expect(restored.keyed.get(5)).toEqual(new Map(entries));
      expect(restored.keyed.get(6)).toEqual(new Map([['x', '"y"']]));
    } finally {
      await storage.discardJob('redis-job');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });

  it('serializes deferred keyed state a slice at a time on the scheduler, and completes only after the last slice was written', async () => {
    const { c, barriers, stats, scheduler, storage } = await setup();
    c.register('big');
    const done = c.trigger();
    const calls: Array<[number, number]> = [];
    const n = 2 * SERIALIZE_SLICE + 5;
    const deferred: DeferredKeyedState = {
      size: n,
      serialize(from, to, put) {
        calls.push([from, to]);
        for (let i = from; i < to; i++) put(i % 3, `k${i}`, String(i));
      },
    };
    barriers[0]!.acknowledger!.acknowledge('big', { parts: true, deferred, keyed: new Map([[7, [['extra', '1']]]]) });
    expect(calls).toEqual([]); // nothing serialized at the barrier: more than one slice
    scheduler.maxFrames = 0;
    scheduler.flush();
    expect(calls).toEqual([
      [0, SERIALIZE_SLICE],
      [SERIALIZE_SLICE, 2 * SERIALIZE_SLICE],
      [2 * SERIALIZE_SLICE, n],
    ]);
    await done;
    expect(stats.map((s) => [s.status, s.entries])).toEqual([['completed', n + 1]]);
    const restored = (await setup({ storage })).restored!.get('big') as RestoredParts;
    expect([...restored.keyed.keys()].sort()).toEqual([0, 1, 2, 7]);
    expect(restored.keyed.get(1)!.get('k4')).toBe('4');
    expect([...restored.keyed.values()].reduce((a, m) => a + m.size, 0)).toBe(n + 1);
  });

  it('a deferred snapshot that throws while serializing fails its checkpoint, which never becomes visible', async () => {
    const { c, barriers, stats, scheduler, storage } = await setup({ tolerableFailures: 5 });
    c.register('bad');
    const done = c.trigger();
    const deferred: DeferredKeyedState = {
      size: SERIALIZE_SLICE * 3,
      serialize(from, to, put) {
        if (from >= SERIALIZE_SLICE) throw new Error('a function in the state');
        for (let i = from; i < to; i++) put(0, `k${i}`, '1');
      },
    };
    barriers[0]!.acknowledger!.acknowledge('bad', { parts: true, deferred });
    scheduler.maxFrames = 0;
    scheduler.flush();
    await expect(done).rejects.toThrow(/checkpoint 1: the state of "bad" cannot be written: a function in the state/);
    await settle();
    expect(stats.map((s) => s.status)).toEqual(['failed']);
    expect(await storage.latestCheckpoint('job')).toBeUndefined();
  });
});
