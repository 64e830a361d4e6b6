/**
 * Fault injection: a child process reads a Redis Stream, sums clicks per user in tumbling event-time
 * windows and writes the windows through the two-phase-commit Redis stream sink and hash sink. It is
 * killed with SIGKILL at random points (after a random number of completed checkpoints, plus a random
 * delay), at least five times, and restarted until it finishes. What is committed equals a failure-free
 * run exactly: every window once in the output stream, every sum right in the hash, no staging left.
 * The same runs with the at-least-once stream sink commit windows twice: the test can fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { bundleJob, type ChildJob, startChild } from '../helpers/child-job';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { clicks, expectedWindows, keysOf } from './fixtures/exactly-once-job';

const SCRIPT = join(__dirname, 'fixtures', 'exactly-once-job.ts');
const CLICKS = 3_000;
let bundle: string;

function start(env: Record<string, string>): ChildJob {
  return startChild(bundle, { ...env, EXACTLY_ONCE_JOB_MAIN: '1' });
}

async function writeInput(redis: Redis, key: string): Promise<void> {
  const p = redis.pipeline();
  for (const c of clicks(CLICKS)) p.xadd(key, '*', 'user', c.user, 'n', String(c.n), 'ts', String(c.ts));
  await p.exec();
}

/** Runs the job, killing it `kills` times at random points, then to the end; returns the kills done. */
async function runWithKills(env: Record<string, string>, kills: number): Promise<number> {
  let done = 0;
  for (let run = 0; run < kills; run++) {
    const child = start(env);
    const first = await child.printed(/^checkpoint \d+$/);
    if (first === undefined) break; // finished before its first checkpoint
    const n = Math.floor(Math.random() * 3);
    const target = await child.printed(new RegExp(`^checkpoint ${Number(first.split(' ')[1]) + n}$`));
    if (target === undefined) break; // finished first
    // a random point after that checkpoint: between barriers, in a pre-commit or a commit
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
    child.kill();
    const code = await child.exited;
    if (code === 0) break;
    done++;
  }
  const last = start(env);
  const code = await last.exited;
  if (code !== 0) throw new Error(`the last run failed (${code}):\n${last.output()}`);
  expect(last.output()).toMatch(/^done$/m);
  return done;
}

function committedStream(entries: Array<[string, string[]]>): string[] {
  return entries.map(([, f]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]!] = f[i + 1]!;
    return `${o['user']}|${o['end']}|${o['sum']}`;
  });
}

describe('fault injection (a child process killed with SIGKILL)', () => {
  let dir: string;
  let url: string;
  let redis: Redis;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-exactly-once-'));
    bundle = await bundleJob(SCRIPT, join(dir, 'exactly-once-job.cjs'));
    url = await sharedRedisUrl();
    redis = new Redis(url);
  });
  afterAll(() => {
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two-phase-commit stream and hash sinks: killed ≥ 5 times, the committed output equals a failure-free run exactly', async () => {
    const prefix = uniquePrefix('exactly-once');
    const keys = keysOf(prefix);
    try {
      await writeInput(redis, keys.input);
      const want = expectedWindows(clicks(CLICKS));
      const kills = await runWithKills({ REDIS_URL: url, PREFIX: prefix, INTERVAL: '15', MODE: 'exactly-once' }, 6);
      expect(kills).toBeGreaterThanOrEqual(5);
      const got = committedStream((await redis.xrange(keys.output, '-', '+')) as Array<[string, string[]]>);
      expect(got.length).toBe(want.length); // nothing twice, nothing lost
      expect([...got].sort()).toEqual(want);
      const hash = await redis.hgetall(keys.hash);
      expect(Object.entries(hash).map(([k, v]) => `${k}|${v}`).sort()).toEqual(want);
      // no staging list or registry entry is left behind
      const staging = await redis.keys(`${prefix}:staging:*:txn:*`);
      expect(staging).toEqual([]);
    } finally {
      await deleteKeys(url, prefix);
    }
  }, 300_000);

  it('the at-least-once stream sink, killed the same way, commits windows twice (the test can fail)', async () => {
    const prefix = uniquePrefix('at-least-once');
    const keys = keysOf(prefix);
    try {
      await writeInput(redis, keys.input);
      const want = expectedWindows(clicks(CLICKS));
      const kills = await runWithKills({ REDIS_URL: url, PREFIX: prefix, INTERVAL: '15', MODE: 'at-least-once' }, 6);
      expect(kills).toBeGreaterThanOrEqual(5);
      const got = committedStream((await redis.xrange(keys.output, '-', '+')) as Array<[string, string[]]>);
      // every window is there (at least once) ...
      expect([...new Set(got)].sort()).toEqual(want);
      // ... and some twice
      expect(got.length).toBeGreaterThan(want.length);
    } finally {
      await deleteKeys(url, prefix);
    }
  }, 300_000);
});
