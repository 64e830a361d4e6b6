/**
 * Exactly-once from a Redis Stream to a Redis Stream: clicks are read from `input` by `fromRedisStream`
 * (positions in checkpoints, stored in Redis too), counted per URL in tumbling one-minute event-time
 * windows (checkpointed), and each window's count is added to `output` by the two-phase-commit
 * `redisStreamSink`: a window's entry appears once the checkpoint after it completes, and never twice,
 * whatever crashes and restarts in between. Bounded here (it reads what is in `input` and ends with a
 * final checkpoint), so it can be run again: a second run restores the final checkpoint and adds nothing.
 *
 * Run it against a Redis with clicks in a stream: `tsx examples/redis-exactly-once.ts` (it adds a few).
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Job, keyBy, map, tumblingEventWindow, windowCount, WatermarkStrategy } from '../lib/index';
import { fromRedisStream, RedisCheckpointStorage, redisStreamSink } from '../lib/redis/index';

/** A click as the input stream holds it: fields `user`, `url`, `ts` (event time, ms). */
export interface Click {
  user: string;
  url: string;
  ts: number;
}

/** Where the job reads, writes and checkpoints. */
export interface RedisExactlyOnceOptions {
  url: string;
  /** The input stream key. */
  input: string;
  /** The output stream key: one entry `{ url, windowEnd, clicks }` per URL and minute. */
  output: string;
  /** Prefix of the checkpoint and staging keys. */
  prefix: string;
  /** Checkpoint interval in ms (default 1000). */
  interval?: number;
}

/** Runs the job to the end of its input; resolves once everything is committed. */
export async function runRedisExactlyOnce(options: RedisExactlyOnceOptions): Promise<void> {
  const storage = await RedisCheckpointStorage.connect({ url: options.url, prefix: `${options.prefix}:checkpoints` });
  try {
    const job = new Job({ name: 'clicks-per-url', checkpoints: { interval: options.interval ?? 1_000, storage } });
    await new Promise<void>((resolve, reject) =>
      fromRedisStream({
        url: options.url,
        keys: options.input,
        job,
        uid: 'clicks',
        bounded: true,
        parse: (e): Click => ({ user: e.fields['user'] ?? '', url: e.fields['url'] ?? '', ts: Number(e.fields['ts']) }),
        watermarks: WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.ts),
      })
        .pipe(
          keyBy((c) => c.url),
          tumblingEventWindow(60_000, { aggregate: windowCount(), windowed: true, uid: 'counts' }),
          map((w) => ({ url: w.key, windowEnd: w.window.end, clicks: w.value })),
          redisStreamSink({ url: options.url, stream: options.output, uid: 'counts-out', stagingPrefix: `${options.prefix}:staging` }),
        )
        .subscribe({ complete: resolve, error: reject }),
    );
  } finally {
    await storage.close();
  }
}

async function main(): Promise<void> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url);
  const input = 'tidemark-example:clicks';
  const output = 'tidemark-example:clicks-per-url';
  for (let i = 0; i < 20; i++) await redis.xadd(input, '*', 'user', `u${i % 3}`, 'url', `/page/${i % 2}`, 'ts', String(i * 10_000));
  await runRedisExactlyOnce({ url, input, output, prefix: 'tidemark-example' });
  console.log(await redis.xrange(output, '-', '+'));
  redis.disconnect();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
