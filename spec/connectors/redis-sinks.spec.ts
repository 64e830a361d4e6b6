/**
 * The Redis sinks against a real Redis: the two-phase-commit stream and hash sinks (visible only when the
 * checkpoint completes, recommitted once after a crash after completion, staging aborted on recovery), the
 * at-least-once stream sink, the idempotent sink, the checkpoint committer of write-ahead sinks; and a
 * private redis-server (with AOF) killed and restarted during a commit: the commit completes after
 * recovery, once.
 */
import { Redis } from 'ioredis';
import { VirtualTimeScheduler, type Observable } from 'rxjs';
import { fromCollection, InvalidArgumentError, Job, MemoryCheckpointStorage, type CheckpointStorage } from '../../lib/index';
import { RedisCheckpointCommitter, redisHashSink, redisIdempotentSink, redisStreamSink } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis';

let url: string;
let redis: Redis;
let prefix: string;
beforeAll(async () => {
  url = await sharedRedisUrl();
  redis = new Redis(url);
});
beforeEach(() => {
  prefix = uniquePrefix('redis-sinks');
});
afterEach(async () => {
  await deleteKeys(url, prefix);
});
afterAll(() => redis.disconnect());

const letters = 'abcdefghij'.split('');

function done(out: Observable<never>): Promise<void> {
  return new Promise((resolve, reject) => out.subscribe({ complete: resolve, error: reject }));
}

async function streamValues(r: Redis, key: string): Promise<string[]> {
  return ((await r.xrange(key, '-', '+')) as Array<[string, string[]]>).map(([, f]) => f[1]!);
}

/** A checkpointing job on a virtual scheduler: a source's later chunks wait for step() or flush(). */
function checkpointed(storage: CheckpointStorage, name = 'redis-sinks'): Job {
  return new Job({ name, scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1_000_000, storage } });
}

/** Runs the job scheduler's next action (a source emits its next chunk). */
function step(job: Job): void {
  const scheduler = job.scheduler as VirtualTimeScheduler;
  const action = scheduler.actions.shift();
  if (action === undefined) return;
  scheduler.frame = action.delay;
  action.execute(action.state, action.delay);
}

function flush(job: Job): void {
  (job.scheduler as VirtualTimeScheduler).flush();
}

describe('redisStreamSink (two-phase commit)', () => {
  it('adds the entries of a checkpoint only when it completes, and the rest at the end; leaves no staging', async () => {
    const out = `${prefix}:out`;
    const job = checkpointed(new MemoryCheckpointStorage());
    await job.prepare();
    const sink = redisStreamSink<string>({ url, stream: out, uid: 'out', fields: (v) => ({ v }), stagingPrefix: `${prefix}:staging`, batchSize: 2 });
    // chunkSize 3: a, b, c are out before the first barrier (b's batch of 2 is staged already)
    const finished = done(fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 3 }).pipe(sink));
    await new Promise<void>((resolve) => {
      const poll = (): void => void redis.keys(`${prefix}:staging:*:txn:*`).then((k) => (k.length > 0 ? resolve() : setImmediate(poll)));
      poll();
    });
    expect(await streamValues(redis, out)).toEqual([]);
    await job.coordinator!.trigger();
    while ((await streamValues(redis, out)).length < 3) await new Promise((r) => setImmediate(r));
    expect(await streamValues(redis, out)).toEqual(['a', 'b', 'c']);
    flush(job);
    await finished;
    expect(await streamValues(redis, out)).toEqual(letters.slice(0, 6));
    expect(await redis.keys(`${prefix}:staging:*`)).toEqual([]);
  });

  it('after a crash after the checkpoint completed but before the commit, the restored run commits once; what the crashed run staged after it is aborted', async () => {
    const out = `${prefix}:out`;
    const storage = new MemoryCheckpointStorage();
    const stagingPrefix = `${prefix}:staging`;
    {
      // the metadata of checkpoint 1 is written, then the process dies: no sink hears of the completion
      const crashing: CheckpointStorage = Object.create(storage);
      crashing.completeCheckpoint = async (m, r) => {
        await storage.completeCheckpoint(m, r);
        return new Promise(() => {});
      };
      const job = checkpointed(crashing);
      await job.prepare();
      fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 3 })
        .pipe(redisStreamSink<string>({ url, stream: out, uid: 'out', fields: (v) => ({ v }), stagingPrefix, batchSize: 1 }))
        .subscribe({ error: () => {} });
      job.coordinator!.trigger().catch(() => {}); // it never completes here: the process "dies" first
      step(job); // d, e, f: into the next transaction
      // wait for the pre-commit of a, b, c and for d (after the barrier) to be staged too
      while ((await redis.keys(`${stagingPrefix}:*:txn:*`)).length < 2) await new Promise((r) => setImmediate(r));
      job.coordinator!.stop();
    }
    expect(await streamValues(redis, out)).toEqual([]);
    const job = checkpointed(storage);
    await job.prepare();
    const finished = done(fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 3 }).pipe(redisStreamSink<string>({ url, stream: out, uid: 'out', fields: (v) => ({ v }), stagingPrefix })));
    flush(job);
    await finished;
    expect(await streamValues(redis, out)).toEqual(letters.slice(0, 6));
    expect(await redis.keys(`${stagingPrefix}:*`)).toEqual([]);
  });

  it('with guarantee at-least-once adds entries as records come', async () => {
    const out = `${prefix}:out`;
    await done(fromCollection(['x', 'y']).pipe(redisStreamSink<string>({ url, stream: (v) => `${out}:${v}`, fields: (v) => ({ v }), uid: 'alo', guarantee: 'at-least-once' })));
    expect(await streamValues(redis, `${out}:x`)).toEqual(['x']);
    expect(await streamValues(redis, `${out}:y`)).toEqual(['y']);
  });

  it('checks its options', () => {
    expect(() => redisStreamSink({ url, stream: '', uid: 'x' })).toThrow(InvalidArgumentError);
    expect(() => redisStreamSink({ url, stream: 's', uid: '' })).toThrow(/uid must be a non-empty string/);
    expect(() => redisHashSink({ url, key: 'h', uid: 'x', fields: 3 as never })).toThrow(/fields must be a function/);
    expect(() => redisIdempotentSink({ url, key: 'k' as never, value: () => '' })).toThrow(/key must be a function/);
  });
});

describe('redisHashSink (two-phase commit)', () => {
  it('sets the fields of a checkpoint when it completes, the last value per field winning', async () => {
    const hash = `${prefix}:h`;
    const job = checkpointed(new MemoryCheckpointStorage());
    await job.prepare();
    const input = [
      { k: 'ann', n: 1 },
      { k: 'bob', n: 2 },
      { k: 'ann', n: 3 },
    ];
    const finished = done(fromCollection(input, { job, uid: 'counts', chunkSize: 2 }).pipe(redisHashSink({ url, key: hash, fields: (c) => ({ [c.k]: c.n }), uid: 'h', stagingPrefix: `${prefix}:staging` })));
    await job.coordinator!.trigger();
    while (Object.keys(await redis.hgetall(hash)).length < 2) await new Promise((r) => setImmediate(r));
    expect(await redis.hgetall(hash)).toEqual({ ann: '1', bob: '2' });
    flush(job);
    await finished;
    expect(await redis.hgetall(hash)).toEqual({ ann: '3', bob: '2' });
  });
});

describe('redisIdempotentSink', () => {
  it('writes each record to its deterministic key; a replay leaves the same state', async () => {
    const input = [
      { w: 1, user: 'ann', n: 3 },
      { w: 1, user: 'bob', n: 1 },
      { w: 2, user: 'ann', n: 5 },
    ];
    const sink = () => redisIdempotentSink<(typeof input)[number]>({ url, key: (c) => `${prefix}:w${c.w}:${c.user}`, value: (c) => String(c.n) });
    await done(fromCollection(input).pipe(sink()));
    const state = async (): Promise<Record<string, string | null>> => {
      const keys = (await redis.keys(`${prefix}:w*`)).sort();
      return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await redis.get(k)] as const)));
    };
    const first = await state();
    expect(Object.values(first)).toEqual(['3', '1', '5']);
    // a replay of the last two records (as after a restore) changes nothing
    await done(fromCollection(input.slice(1)).pipe(sink()));
    expect(await state()).toEqual(first);
    // fields: HSET
    await done(fromCollection(input).pipe(redisIdempotentSink<(typeof input)[number]>({ url, key: (c) => `${prefix}:h:${c.user}`, value: (c) => ({ [`w${c.w}`]: c.n }) })));
    expect(await redis.hgetall(`${prefix}:h:ann`)).toEqual({ w1: '3', w2: '5' });
  });
});

describe('RedisCheckpointCommitter', () => {
  it('records the last sent checkpoint per sink and subtask', async () => {
    const committer = new RedisCheckpointCommitter({ url, key: `${prefix}:committed` });
    try {
      expect(await committer.isCheckpointCommitted('wal', 0, 1)).toBe(false);
      await committer.commitCheckpoint('wal', 0, 4);
      expect(await committer.isCheckpointCommitted('wal', 0, 3)).toBe(true);
      expect(await committer.isCheckpointCommitted('wal', 0, 5)).toBe(false);
      expect(await committer.isCheckpointCommitted('wal', 1, 3)).toBe(false);
    } finally {
      await committer.close();
    }
  });
});

describe('Redis restarted during a commit', () => {
  it('the commit completes after Redis is back, once', async () => {
    const server = await startPrivateRedis({ persistent: true });
    const r = new Redis(server.url);
    r.on('error', () => {});
    try {
      const out = 'out';
      const job = checkpointed(new MemoryCheckpointStorage(), 'restart');
      await job.prepare();
      // a large first transaction: its commit script runs long enough to be cut by the kill
      const input = Array.from({ length: 30_000 }, (_, i) => String(i));
      const sink = redisStreamSink<string>({ url: server.url, stream: out, uid: 'out', fields: (v) => ({ v }), batchSize: 5_000 });
      const finished = done(fromCollection(input, { job, uid: 'numbers', chunkSize: 20_000 }).pipe(sink));
      let restarted: Promise<void> | undefined;
      job.checkpointStats.subscribe((s) => {
        // the sink heard of the completion and sent its commit just before: kill Redis now, then start it again
        if (s.status === 'completed' && s.checkpointId === 1) restarted = server.stop().then(() => server.start());
      });
      await job.coordinator!.trigger();
      await restarted;
      flush(job);
      await finished;
      const values = await streamValues(r, out);
      expect(values.length).toBe(input.length);
      expect(values).toEqual(input);
    } finally {
      r.disconnect();
      await server.stop();
    }
  });
});
