/**
 * A job that checkpoints to the local Redis and resumes where it left off: clicks per user and minute in
 * tumbling event-time windows, checkpointed every 100 ms to Redis; the results go to a Redis hash keyed by
 * user and window (an idempotent write: a window replayed after a crash writes the same value again).
 * Kill it (Ctrl-C, or `kill -9`) while it runs and start it again: it restores its latest checkpoint, the
 * source skips the clicks it had read, the windows come back with their contents, and the hash ends up
 * exactly as after an uninterrupted run.
 *
 * Run: REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/checkpointed-job.ts
 * (env CLICKS: how many clicks, default 200 000; PREFIX: the Redis key prefix, default `example`;
 * FRESH=1: delete the job's checkpoints and results first.)
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  assignWatermarks,
  fromCollection,
  Job,
  keyBy,
  type RestoredParts,
  sinkTo,
  tumblingEventWindow,
  windowCount,
  WatermarkStrategy,
} from '../lib/index';
import { RedisCheckpointStorage } from '../lib/redis/index';

export interface Click {
  user: string;
  ts: number;
}

/** `n` clicks of 50 users, 10 ms apart in event time, each up to 999 ms out of order (deterministic). */
export function clicks(n: number): Click[] {
  let seed = 2024;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => ({ user: `user${Math.floor(random() * 50)}`, ts: i * 10 + Math.floor(random() * 1_000) }));
}

/** The Redis hash the results go to: `user@windowStart` → clicks. */
export const resultsKey = (prefix: string): string => `${prefix}:clicks-per-minute`;

export interface CheckpointedJobOptions {
  url: string;
  prefix: string;
  clicks: number;
  /** Hears what the job does: `restored from checkpoint N` / `starting fresh`, `checkpoint N ...`, `done`. */
  log?: (line: string) => void;
}

/** Runs the job until its input ends (resuming from the latest checkpoint, if any). */
export async function runCheckpointedJob({ url, prefix, clicks: n, log = console.log }: CheckpointedJobOptions): Promise<void> {
  const storage = await RedisCheckpointStorage.connect({ url, prefix });
  const redis = new Redis(url);
  const job = new Job({ name: 'clicks-per-minute', checkpoints: { interval: 100, storage, retained: 2 } });
  await job.prepare(); // restores the latest complete checkpoint, if there is one
  const restored = job.context(true).restoredState?.get('clicks') as RestoredParts | undefined;
  log(restored === undefined ? 'starting fresh' : `restored from checkpoint ${restored.checkpointId}`);
  job.checkpointStats.subscribe((s) =>
    log(
      s.status === 'completed'
        ? `checkpoint ${s.checkpointId} completed: ${s.entries} entries, ${s.bytes} bytes, ${s.full ? 'full' : 'incremental'}, in ${s.duration} ms`
        : `checkpoint ${s.checkpointId} failed: ${s.failure}`,
    ),
  );
  try {
    await new Promise<void>((resolve, reject) =>
      fromCollection(clicks(n), { job, uid: 'clicks', chunkSize: 100 })
        .pipe(
          assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(1_000).withPerEventEmit().withTimestampAssigner((c) => c.ts)),
          keyBy((c) => c.user),
          tumblingEventWindow(60_000, { aggregate: windowCount(), windowed: true, uid: 'clicks-per-minute' }),
          sinkTo((r) => redis.hset(resultsKey(prefix), `${r.key}@${r.window.start}`, r.value).then(() => {}), { uid: 'results' }),
        )
        .subscribe({ error: reject, complete: resolve }),
    );
    log('done');
  } finally {
    redis.disconnect();
    await storage.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = process.env['PREFIX'] ?? 'example';
  void (async () => {
    if (process.env['FRESH'] === '1') {
      const storage = await RedisCheckpointStorage.connect({ url, prefix });
      await storage.discardJob('clicks-per-minute');
      await storage.close();
      const redis = new Redis(url);
      await redis.del(resultsKey(prefix));
      redis.disconnect();
    }
    await runCheckpointedJob({ url, prefix, clicks: Number(process.env['CLICKS'] ?? 200_000) });
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
