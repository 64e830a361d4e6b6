import { Redis } from 'ioredis';
import { CheckpointError, StorageUnavailableError } from '../../lib/core/errors';
import { CHECKPOINT_FORMAT } from '../../lib/checkpoint/checkpoint-storage';
import { RedisCheckpointStorage } from '../../lib/redis/redis-checkpoint-storage';
import { checkpointStorageContract } from '../checkpoint/checkpoint-storage-contract';
import { deleteKeys, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis';

async function countKeys(url: string, pattern: string): Promise<number> {
  const r = new Redis(url);
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      n += keys.length;
      cursor = next;
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}

const prefixes: Array<[string, string]> = [];
afterAll(async () => {
  for (const [url, prefix] of prefixes) expect(await deleteKeys(url, prefix)).toBe(0);
});

checkpointStorageContract(
  'RedisCheckpointStorage',
  async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('ckpt');
    prefixes.push([url, prefix]);
    const storage = await RedisCheckpointStorage.connect({ url, prefix, chunkSize: 700 });
    // Part keys of the job (one hash per part); the job's own records are deleted by discardJob.
    return { storage, leftovers: (jobName) => countKeys(url, `${prefix}:{${jobName}/*`) };
  },
  async (f) => f.storage.close(),
);

describe('RedisCheckpointStorage', () => {
  it('writeStates writes several parts in one batch (in chunks), registered for cleanup: an abort deletes them all', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('batch');
    const storage = await RedisCheckpointStorage.connect({ url, prefix, chunkSize: 3 });
    try {
      const id = await storage.nextCheckpointId('b');
      const big = Array.from({ length: 10 }, (_, i): [string, string] => [`k${i}`, String(i)]);
      const hs = await storage.writeStates('b', id, [
        { uid: 'sum', keyGroup: 4, entries: big },
        { uid: 'sum', keyGroup: 9, entries: [['__proto__', '"x"']] },
        { uid: 'src', keyGroup: -1, entries: [] },
      ]);
      expect(hs.map((h) => [h.uid, h.keyGroup, h.entries, h.bytes])).toEqual([
        ['sum', 4, 10, 20 + 10],
        ['sum', 9, 1, 9 + 3],
        ['src', -1, 0, 0],
      ]);
      expect(await storage.readState('b', hs[0]!)).toEqual(expect.arrayContaining(big));
      expect(await storage.readState('b', hs[1]!)).toEqual([['__proto__', '"x"']]);
      expect(await countKeys(url, `${prefix}:{b/*`)).toBe(2);
      await storage.abortCheckpoint('b', id);
      expect(await countKeys(url, `${prefix}:{b/*`)).toBe(0);
      await expect(storage.writeStates('b', id, [{ uid: 'a{b}', keyGroup: 1, entries: [] }])).rejects.toThrow(CheckpointError);
    } finally {
      await storage.discardJob('b');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });

  it('lays keys out hash-tagged per job and key group, the metadata per job', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('layout');
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const id = await storage.nextCheckpointId('clicks');
      const h = await storage.writeState('clicks', id, { uid: 'counts', keyGroup: 12, entries: [['a', '1']] });
      const o = await storage.writeState('clicks', id, { uid: 'src', keyGroup: -1, entries: [['offset', '3']] });
      await storage.completeCheckpoint(
        { format: CHECKPOINT_FORMAT, jobName: 'clicks', checkpointId: id, kind: 'checkpoint', timestamp: 0, maxParallelism: 128, serializer: 's', operators: [{ uid: 'counts', handles: [h] }, { uid: 'src', handles: [o] }] },
        1,
      );
      const r = new Redis(url);
      expect(await r.hgetall(`${prefix}:{clicks/12}:${id}:counts`)).toEqual({ a: '1' });
      expect(await r.hgetall(`${prefix}:{clicks/op}:${id}:src`)).toEqual({ offset: '3' });
      expect(JSON.parse((await r.hget(`${prefix}:{clicks}:meta`, String(id)))!)).toMatchObject({ checkpointId: id });
      // A record stored under another job's name is refused.
      await r.hset(`${prefix}:{other}:meta`, '1', (await r.hget(`${prefix}:{clicks}:meta`, String(id)))!);
      await expect(storage.latestCheckpoint('other')).rejects.toThrow(/belongs to job "clicks"/);
      await r.hset(`${prefix}:{other}:meta`, '1', '{not json');
      await expect(storage.latestCheckpoint('other')).rejects.toThrow(CheckpointError);
      await r.del(`${prefix}:{other}:meta`);
      r.disconnect();
    } finally {
      await storage.discardJob('clicks');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });

  it('fails with a StorageUnavailableError that says what to do when Redis is unreachable at start', async () => {
    const dead = await startPrivateRedis();
    await dead.stop();
    const err = await RedisCheckpointStorage.connect({ url: dead.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`connect failed on ${dead.url.replace(/\//g, '\\/')}: .*Start one with \`redis-server\``));
  });

  it('a command fails with a StorageUnavailableError while Redis is down, and works again once it is back', async () => {
    const priv = await startPrivateRedis();
    const storage = await RedisCheckpointStorage.connect({ url: priv.url, prefix: 'p' });
    try {
      expect(await storage.nextCheckpointId('j')).toBe(1);
      await priv.stop();
      await expect(storage.nextCheckpointId('j')).rejects.toThrow(StorageUnavailableError);
      await priv.start();
      // The client reconnects by itself; the private server came back empty.
      let id: number | undefined;
      for (let i = 0; i < 100 && id === undefined; i++) id = await storage.nextCheckpointId('j').catch(() => undefined);
      expect(id).toBe(1);
    } finally {
      await storage.close();
      await priv.stop();
    }
  });

  it('rediss, username and password reach ioredis from the url, and never appear in messages', () => {
    const s = new RedisCheckpointStorage({ url: 'rediss://alice:secret@127.0.0.1:6390/2' });
    expect(s.description).toBe('rediss://***@127.0.0.1:6390/2');
    const opts = (s as unknown as { redis: { options: { username?: string; password?: string; tls?: unknown; db?: number } } }).redis.options;
    expect(opts).toMatchObject({ username: 'alice', password: 'secret', db: 2 });
    expect(opts.tls).toBeDefined();
    return s.close();
  });
});

describe('checkpoints while Redis goes away and comes back', () => {
  it('a checkpoint fails while Redis is down (counted, tolerated), and the next one succeeds once it is back', async () => {
    const { VirtualTimeScheduler } = await import('rxjs');
    const { CheckpointCoordinator } = await import('../../lib/checkpoint/checkpoint-coordinator');
    const { MetricGroup } = await import('../../lib/core/metrics');
    const priv = await startPrivateRedis();
    const storage = await RedisCheckpointStorage.connect({ url: priv.url, prefix: 'p' });
    try {
      const metrics = new MetricGroup();
      const fatal: Error[] = [];
      const c = new CheckpointCoordinator('j', { interval: 1e9, storage, tolerableFailures: 10 }, new VirtualTimeScheduler(), metrics, (e) => fatal.push(e));
      await c.restore();
      c.register('op');
      const barriers: Array<import('../../lib/core/checkpoint-barrier').CheckpointBarrier> = [];
      c.registerSource({ uid: 'src', emitBarrier: (b) => barriers.push(b) });
      const round = (): Promise<unknown> => {
        const p = c.trigger();
        barriers[barriers.length - 1]!.acknowledger!.acknowledge('op', { parts: true, keyed: new Map([[1, [['k', String(barriers.length)]]]]) });
        return p;
      };
      await round();
      await priv.stop();
      await expect(round()).rejects.toThrow(/writing state to redis:\/\/127\.0\.0\.1:\d+ failed/);
      await priv.start();
      // The client reconnects by itself; checkpoints go on (the private server came back empty).
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) ok = await round().then(() => true, () => false);
      expect(ok).toBe(true);
      expect(fatal).toEqual([]);
      expect(metrics.counterValue('numberOfFailedCheckpoints')).toBeGreaterThanOrEqual(1);
      expect(metrics.counterValue('numberOfCompletedCheckpoints')).toBe(2);
    } finally {
      await storage.close();
      await priv.stop();
    }
  });
});
