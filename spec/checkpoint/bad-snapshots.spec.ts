/**
 * Bad input on restore, for the memory and the Redis storage: a corrupt snapshot, an unknown format
 * version, a savepoint record of another job, state names and keys such as `__proto__` and `constructor`
 * (data, never a prototype; nothing evaluated), and Redis unreachable at start. Each is a typed error that
 * says what to do; the Redis tests leave no keys behind.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { Redis } from 'ioredis';
import {
  CHECKPOINT_FORMAT,
  CheckpointError,
  fromCollection,
  Job,
  keyBy,
  keyedProcess,
  MemoryCheckpointStorage,
  StorageUnavailableError,
  ValueStateDescriptor,
  values,
  type CheckpointMetadata,
  type CheckpointStorage,
  type KeyedProcessFunction,
  type ValueState,
} from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { defaultStateSerializer } from '../../lib/state/serializer';
import { deleteKeys, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis';

interface Ev {
  k: string;
  v: unknown;
}

/** Reports each key's stored value (as JSON) and stores the record's. */
function store(): KeyedProcessFunction<string, Ev, string> {
  let last!: ValueState<unknown>;
  return {
    open(ctx) {
      last = ctx.getState(new ValueStateDescriptor<unknown>('last'));
    },
    processElement(e, ctx, out) {
      const before = last.value();
      out.collect(`${ctx.getCurrentKey()}:${JSON.stringify(before)}:${before !== null && typeof before === 'object' ? Object.keys(before).join('/') : ''}`);
      last.update(e.v);
    },
  };
}

const job = (storage: CheckpointStorage, name = 'bad'): Job => new Job({ name, scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1_000_000, storage } });

/** Runs the job over `events` (restoring what the storage holds); resolves with its output or rejects with its error. */
async function run(j: Job, events: readonly Ev[]): Promise<string[]> {
  await j.prepare();
  const out: string[] = [];
  let error: unknown;
  fromCollection(events, { job: j, uid: 'events' })
    .pipe(keyBy((e: Ev) => e.k), keyedProcess(store(), { uid: 'store' }), values())
    .subscribe({ next: (x) => out.push(x), error: (e: unknown) => (error = e) });
  (j.scheduler as VirtualTimeScheduler).flush();
  if (error !== undefined) throw error;
  return out;
}

/** Runs the job over `events` and checkpoints after them (the job keeps running: a crash follows). */
async function checkpointAfter(j: Job, events: readonly Ev[]): Promise<number> {
  await j.prepare();
  const sub = fromCollection(events, { job: j, uid: 'events', chunkSize: events.length })
    .pipe(keyBy((e: Ev) => e.k), keyedProcess(store(), { uid: 'store' }), values())
    .subscribe();
  const stats = await j.coordinator!.trigger();
  sub.unsubscribe();
  return stats.checkpointId;
}

const events: Ev[] = [
  { k: '__proto__', v: JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}') },
  { k: 'constructor', v: new Map([['__proto__', 1]]) },
];

interface Fixture {
  storage: CheckpointStorage;
  /** Replaces the value of every entry of the operator's state parts with `text`. */
  corruptParts(jobName: string, uid: string, text: string): Promise<void>;
  /** Stores `metadata` as the job's latest checkpoint record as it is (no validation). */
  writeRawMetadata(jobName: string, metadata: unknown): Promise<void>;
  done(): Promise<void>;
}

function memoryFixture(): Fixture {
  const inner = new MemoryCheckpointStorage();
  let corrupt: { uid: string; text: string } | undefined;
  let raw: unknown;
  const storage = Object.assign(Object.create(inner) as MemoryCheckpointStorage, {
    readState: async (jobName: string, h: Parameters<MemoryCheckpointStorage['readState']>[1]) => {
      const entries = await inner.readState(jobName, h);
      return corrupt !== undefined && h.uid === corrupt.uid ? entries.map(([f]) => [f, corrupt!.text] as [string, string]) : entries;
    },
    latestCheckpoint: async (jobName: string) => {
      if (raw === undefined) return inner.latestCheckpoint(jobName);
      // as a storage that read a record back from outside: it validates what it read
      const { validateMetadata } = await import('../../lib/checkpoint/checkpoint-storage');
      return validateMetadata(raw, `checkpoint of job "${jobName}"`);
    },
  });
  return {
    storage,
    corruptParts: async (_job, uid, text) => void (corrupt = { uid, text }),
    writeRawMetadata: async (_job, m) => void (raw = m),
    done: async () => {},
  };
}

async function redisFixture(): Promise<Fixture> {
  const url = await sharedRedisUrl();
  const prefix = uniquePrefix('bad');
  const storage = await RedisCheckpointStorage.connect({ url, prefix });
  const redis = new Redis(url);
  const keysOf = async (pattern: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out;
  };
  return {
    storage,
    async corruptParts(jobName, uid, text) {
      for (const key of await keysOf(`${prefix}:{${jobName}/*}:*:${uid}`)) {
        for (const field of await redis.hkeys(key)) await redis.hset(key, field, text);
      }
    },
    async writeRawMetadata(jobName, m) {
      await redis.hset(`${prefix}:{${jobName}}:meta`, String((m as { checkpointId: number }).checkpointId), JSON.stringify(m));
    },
    async done() {
      for (const name of ['bad', 'other', 'proto']) await storage.discardJob(name);
      await storage.close();
      redis.disconnect();
      expect(await deleteKeys(url, prefix)).toBe(0);
    },
  };
}

describe.each([
  ['memory', async () => memoryFixture()],
  ['redis', redisFixture],
] as const)('bad snapshots in %s storage', (_name, make) => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await make();
  });
  afterEach(async () => {
    await fx.done();
  });

  it('keeps __proto__ and constructor as data: state names, keys and values round-trip, and no prototype changes', async () => {
    await checkpointAfter(job(fx.storage, 'proto'), events);
    // the restored source resumes after the checkpointed events
    const out = await run(job(fx.storage, 'proto'), [
      ...events,
      { k: '__proto__', v: 1 },
      { k: 'constructor', v: 2 },
    ]);
    expect(out).toEqual(['__proto__:{"__proto__":{"polluted":true},"constructor":"c"}:__proto__/constructor', 'constructor:{}:']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses a corrupt state part with a CheckpointError naming the operator and what to do', async () => {
    await checkpointAfter(job(fx.storage), [{ k: 'a', v: 1 }]);
    await fx.corruptParts('bad', 'store', '{"not json');
    const err = await run(job(fx.storage), [{ k: 'a', v: 2 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/keyedProcess \(uid "store"\): the state restored under uid "store" is corrupt or not this operator's: a value is unreadable \(.*not JSON.*\); restore another checkpoint or savepoint, or give this operator a new uid and drop the old state with allowNonRestoredState: true/);
  });

  it('refuses a state part that would run code or build objects from a constructor: it is data or corrupt', async () => {
    await checkpointAfter(job(fx.storage), [{ k: 'a', v: 1 }]);
    // a JSON value whose kind names a constructor: refused, never called
    await fx.corruptParts('bad', 'store', defaultStateSerializer.serialize(['constructor', { v: 'process.exit(1)', ts: 0 }]));
    const err = await run(job(fx.storage), [{ k: 'a', v: 2 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/is not a \[kind, data\] pair/);
  });

  it('refuses metadata of an unknown format version, saying which version it reads and how to start without it', async () => {
    await checkpointAfter(job(fx.storage), [{ k: 'a', v: 1 }]);
    const meta = (await fx.storage.latestCheckpoint('bad'))!;
    const future: CheckpointMetadata = { ...meta, checkpointId: meta.checkpointId + 1, format: 'tidemark-checkpoint/2' as typeof CHECKPOINT_FORMAT };
    await expect(fx.storage.completeCheckpoint(future, 1)).rejects.toThrow(/unknown format "tidemark-checkpoint\/2": this version of tidemark reads version 1/);
    await fx.writeRawMetadata('bad', future);
    const err = await job(fx.storage).prepare().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/unknown format "tidemark-checkpoint\/2": this version of tidemark reads version 1 of "tidemark-checkpoint", not "2"; restore it with the tidemark version that wrote it, or delete the job's stored checkpoints \(storage.discardJob\(jobName\)\)/);
    // and a record that is not a checkpoint at all
    await fx.writeRawMetadata('bad', { checkpointId: meta.checkpointId + 1, format: 'something-else' });
    await expect(job(fx.storage).prepare()).rejects.toThrow(/unknown format "something-else" .*corrupt: delete the job's stored checkpoints \(storage.discardJob\(jobName\)\) or run the job under another name/);
  });

  it('refuses a checkpoint record of another job found under this job\'s name', async () => {
    await checkpointAfter(job(fx.storage, 'other'), [{ k: 'a', v: 1 }]);
    const theirs = (await fx.storage.latestCheckpoint('other'))!;
    await fx.writeRawMetadata('bad', theirs);
    const err = await job(fx.storage).prepare().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/found for job "bad" .*(written by|belongs to) job "other"/);
  });
});

describe('Redis unreachable at start', () => {
  it('is a StorageUnavailableError that names the address and says how to fix it, from connect and from a job\'s start', async () => {
    const redis = await startPrivateRedis();
    await redis.stop();
    const err = await RedisCheckpointStorage.connect({ url: redis.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`connect failed on redis://127.0.0.1:${redis.port}: .*Is Redis running there\\? Start one with \`redis-server\`, or pass the right \`url\``));
    const storage = new RedisCheckpointStorage({ url: redis.url, redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null } });
    try {
      const j = job(storage);
      let failure: unknown;
      fromCollection([{ k: 'a', v: 1 }], { job: j, uid: 'events' }).subscribe({ error: (e: unknown) => (failure = e) });
      await expect(j.prepare()).rejects.toBeInstanceOf(StorageUnavailableError);
      await Promise.resolve();
      expect(failure).toBeInstanceOf(StorageUnavailableError);
      expect((failure as Error).message).toMatch(/Is Redis running there\?/);
    } finally {
      await storage.close();
    }
  });
});
