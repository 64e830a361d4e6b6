/**
 * Connectors benchmark, against the Redis at REDIS_URL (default redis://127.0.0.1:6379):
 *
 * - reading a Redis Stream: `fromRedisStream` (bounded, the values parsed and summed by a sink) against a
 *   raw XREAD loop with the same batch size (COUNT) doing the same sum;
 * - writing a Redis Stream: the two-phase-commit `redisStreamSink` (staged in chunks, committed by the Lua
 *   script at the end) against raw pipelined XADD in batches of the same size;
 * - the same sink in a job that checkpoints every second (a commit per checkpoint) against no checkpoints.
 *
 * Each run opens its own connections and deletes what it wrote. Targets (issue 14): reading and writing at
 * least 0.7× the raw loops; with checkpoints every second, at least 0.8× without.
 * Run: npm run bench -- --only connectors [--size 200k]
 */
import { Redis } from 'ioredis';
import { fromCollection, Job, MemoryCheckpointStorage, sinkTo } from '../lib/index';
import { fromRedisStream, redisStreamSink } from '../lib/redis/index';
import { benchSize, compare } from './harness';

const N = benchSize(200_000);
const BATCH = 500;
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `tidemark-bench:connectors:${process.pid}`;
const input = `${prefix}:in`;
const admin = new Redis(url);

// the stream to read: N entries { n: i }
for (let i = 0; i < N; i += 10_000) {
  const p = admin.pipeline();
  for (let j = i; j < Math.min(N, i + 10_000); j++) p.xadd(input, '*', 'n', String(j));
  await p.exec();
}

/** The raw loop: XREAD COUNT BATCH from the start to the end, summing n. */
async function rawRead(): Promise<number> {
  const r = new Redis(url);
  let sum = 0;
  let seen = 0;
  let position = '0-0';
  while (seen < N) {
    const reply = (await r.call('XREAD', 'COUNT', BATCH, 'STREAMS', input, position)) as Array<[string, Array<[string, string[]]>]> | null;
    if (reply === null) break;
    for (const [id, fields] of reply[0]![1]) {
      sum += Number(fields[1]);
      position = id;
      seen++;
    }
  }
  r.disconnect();
  return sum;
}

/** fromRedisStream, bounded, with the same batch size, into a sink that sums n. */
function sourceRead(): Promise<number> {
  let sum = 0;
  return new Promise((resolve, reject) =>
    fromRedisStream({ url, keys: input, count: BATCH, bounded: true, parse: (e) => Number(e.fields['n']) })
      .pipe(sinkTo((n: number) => void (sum += n)))
      .subscribe({ complete: () => resolve(sum), error: reject }),
  );
}

const values = Array.from({ length: N }, (_, i) => ({ n: i }));
let run = 0;

/** Raw pipelined XADD in batches of BATCH; returns the stream's length, then deletes it. */
async function rawWrite(): Promise<number> {
  const r = new Redis(url);
  const out = `${prefix}:out:${run++}`;
  for (let i = 0; i < N; i += BATCH) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(N, i + BATCH); j++) p.xadd(out, '*', 'n', String(values[j]!.n));
    await p.exec();
  }
  const len = await r.xlen(out);
  await r.del(out);
  r.disconnect();
  return len;
}

/** The two-phase-commit stream sink, in a job with or without checkpoints every second. */
async function sinkWrite(checkpoints: boolean): Promise<number> {
  const out = `${prefix}:out:${run++}`;
  const job = checkpoints ? new Job({ name: `bench-${run}`, checkpoints: { interval: 1_000, storage: new MemoryCheckpointStorage() } }) : new Job();
  await job.prepare();
  await new Promise<void>((resolve, reject) =>
    fromCollection(values, { job, chunkSize: BATCH, ...(checkpoints ? { uid: 'values' } : {}) })
      .pipe(redisStreamSink({ url, stream: out, uid: 'out', batchSize: BATCH, stagingPrefix: `${prefix}:staging`, fields: (v) => ({ n: v.n }) }))
      .subscribe({ complete: resolve, error: reject }),
  );
  const len = await admin.xlen(out);
  await admin.del(out);
  return len;
}

try {
  await compare(`read a Redis Stream, ${BATCH} entries per read`, {
    events: N,
    sides: [
      { label: 'raw XREAD loop', run: rawRead },
      { label: 'fromRedisStream', run: sourceRead },
    ],
  });
  await compare(`write a Redis Stream, ${BATCH} entries per batch`, {
    events: N,
    sides: [
      { label: 'raw pipelined XADD', run: rawWrite },
      { label: '2PC redisStreamSink', run: () => sinkWrite(false) },
    ],
  });
  await compare('2PC redisStreamSink with checkpoints every second', {
    events: N,
    sides: [
      { label: 'no checkpoints', run: () => sinkWrite(false) },
      { label: 'checkpoints every 1 s', run: () => sinkWrite(true) },
    ],
  });
} finally {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
}
