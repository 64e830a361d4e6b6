/**
 * The checkpointed example job (README): run as a child process against Redis, killed with SIGKILL after
 * its first checkpoint, started again; it resumes from a checkpoint and its results (a Redis hash written
 * idempotently) equal the clicks per user and minute counted by hand.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { clicks, resultsKey } from '../../examples/checkpointed-job';
import { startChild } from '../helpers/child-job';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';

const CLICKS = 20_000;

describe('examples/checkpointed-job.ts', () => {
  let bundle: string;
  beforeAll(async () => {
    // An ES module bundle (the example runs its main when it is the entry point), next to node_modules for ioredis.
    const dir = join(__dirname, '..', '..', '.tmp', 'examples-spec');
    mkdirSync(dir, { recursive: true });
    bundle = join(dir, `checkpointed-job-${process.pid}.mjs`);
    await build({ entryPoints: [join(__dirname, '..', '..', 'examples', 'checkpointed-job.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, external: ['ioredis'], logLevel: 'warning' });
  });

  it('killed with SIGKILL after a checkpoint and started again, it resumes and ends with the counts of an uninterrupted run', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('example');
    const env = { REDIS_URL: url, PREFIX: prefix, CLICKS: String(CLICKS) };
    const redis = new Redis(url);
    try {
      const first = startChild(bundle, { ...env, FRESH: '1' });
      expect(await first.printed(/^starting fresh$/)).toBeDefined();
      expect(await first.printed(/^checkpoint \d+ completed/)).toBeDefined();
      first.kill();
      expect(await first.exited).toBeNull();
      const second = startChild(bundle, env);
      const restored = await second.printed(/^restored from checkpoint \d+$/);
      expect(restored).toBeDefined();
      expect(await second.exited).toBe(0);
      expect(second.output()).toMatch(/^done$/m);
      const expected: Record<string, string> = {};
      for (const c of clicks(CLICKS)) {
        const k = `${c.user}@${c.ts - (c.ts % 60_000)}`;
        expected[k] = String(Number(expected[k] ?? 0) + 1);
      }
      expect(await redis.hgetall(resultsKey(prefix))).toEqual(expected);
    } finally {
      const storage = await RedisCheckpointStorage.connect({ url, prefix });
      await storage.discardJob('clicks-per-minute');
      await storage.close();
      await redis.del(resultsKey(prefix));
      redis.disconnect();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  }, 120_000);
});
