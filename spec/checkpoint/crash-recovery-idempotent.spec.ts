/**
 * Crash recovery with a real process and an exactly-once sink: a child runs a checkpointed windowed keyed
 * job with an interval join over two replayable sources (Redis storage) whose sink commits each checkpoint epoch's outputs under the checkpoint
 * id once it completed (again after a restore). The child is killed with SIGKILL at random points and
 * restarted; the commits deduplicated by checkpoint id equal a failure-free run, and an epoch committed
 * twice (a replay) is the same both times. A kill in the middle of a checkpoint's write never leads to
 * restoring that checkpoint, and a Redis that goes away and comes back in the middle of a job fails that
 * checkpoint (counted, tolerated) and the next one succeeds.
 *
 * Sizes are small by default (CI); CRASH_EVENTS=100000 runs a larger job.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { VirtualTimeScheduler } from 'rxjs';
import { Job, MemoryCheckpointStorage } from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { bundleJob, startChild as startJob } from '../helpers/child-job';
import { deleteKeys, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis';
import { committed, events, exactlyOnceSink, pipeline } from './fixtures/crash-keyed-job';

const EVENTS = Number(process.env['CRASH_EVENTS'] ?? 4_000);
let bundle: string;
let dir: string;

/** Runs the bundled fixture's main with `env`. */
const startChild = (b: string, env: Record<string, string>) => startJob(b, { ...env, CRASH_JOB_MAIN: '1' });

/** The lines of a file (none when it does not exist). */
const readLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

/** The failure-free run's outputs, in order (in this process, virtual time, no checkpoint taken). */
async function failureFree(n = EVENTS): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name: 'reference', scheduler, checkpoints: { interval: 1e9, storage: new MemoryCheckpointStorage() } });
  await job.prepare();
  const lines: string[] = [];
  pipeline(job, events(n)).subscribe(exactlyOnceSink(job, 'sink', (line) => lines.push(line)));
  scheduler.flush();
  return committed(lines).sort();
}

/**
 * What the sink committed to `file`, one commit per checkpoint id, sorted: the two sources interleave as
 * the scheduler runs them, so the order of outputs differs between runs, what they are does not.
 */
const deduplicated = (file: string): string[] => committed(readLines(file)).sort();

/** The part ids (`checkpoint/keyGroup/uid`) registered for a job. */
async function registeredParts(url: string, prefix: string, job: string): Promise<string[]> {
  const r = new Redis(url);
  try {
    return await r.smembers(`${prefix}:{${job}}:parts`);
  } finally {
    r.disconnect();
  }
}

async function discard(url: string, prefix: string, job: string): Promise<void> {
  const s = await RedisCheckpointStorage.connect({ url, prefix });
  await s.discardJob(job);
  await s.close();
  expect(await deleteKeys(url, prefix)).toBe(0);
}

describe('crash recovery with an exactly-once sink (a child process killed with SIGKILL)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-crash-idem-'));
    bundle = await bundleJob(join(__dirname, 'fixtures', 'crash-keyed-job.ts'), join(dir, 'crash-keyed-job.cjs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed at 5 random points and restarted: the deduplicated output equals a failure-free run', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('crash-idem');
    const file = join(dir, 'idem.txt');
    const env = { REDIS_URL: url, PREFIX: prefix, JOB: 'idem', OUT: file, EVENTS: String(EVENTS), INTERVAL: '10' };
    const want = await failureFree();
    expect(want.length).toBeGreaterThan(100); // windows of joins: enough output to lose some
    let kills = 0;
    let lastRestored = 0;
    try {
      for (let run = 0; run < 5; run++) {
        const child = startChild(bundle, env);
        const restored = await child.printed(/^restored /);
        const id = restored === undefined ? NaN : Number(restored.split(' ')[1]);
        if (run > 0) {
          // each restart restores a checkpoint, never an older one than the run before
          expect(id).toBeGreaterThanOrEqual(lastRestored);
          lastRestored = id;
        }
        if ((await child.printed(/^checkpoint \d+$/)) === undefined) break; // it finished first
        // a random point after its first checkpoint: between records, in a barrier, or mid-write
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        child.kill();
        if ((await child.exited) !== null) break; // it finished before the kill
        kills++;
      }
      const last = startChild(bundle, env);
      expect(await last.exited).toBe(0);
      expect(last.output()).toMatch(/^done$/m);
      expect(kills).toBeGreaterThanOrEqual(5);
      expect(deduplicated(file)).toEqual(want);
    } finally {
      await discard(url, prefix, 'idem');
    }
  }, 120_000);

  it('a kill in the middle of a checkpoint write never restores that checkpoint; the restart deletes its parts', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('crash-midwrite');
    const file = join(dir, 'midwrite.txt');
    const env = { REDIS_URL: url, PREFIX: prefix, JOB: 'midwrite', OUT: file, EVENTS: String(EVENTS), INTERVAL: '10' };
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const child = startChild(bundle, { ...env, HANG_IN_WRITE: '3' });
      expect(await child.printed(/^writing 3$/)).toBe('writing 3');
      child.kill();
      expect(await child.exited).toBeNull();
      // Part of checkpoint 3's state landed, its metadata never did: the latest complete one is 2.
      expect((await registeredParts(url, prefix, 'midwrite')).some((p) => p.startsWith('3/'))).toBe(true);
      expect((await storage.latestCheckpoint('midwrite'))?.checkpointId).toBe(2);
      // A restart restores checkpoint 2 and deletes what checkpoint 3 left behind.
      const restore = startChild(bundle, { ...env, RESTORE_ONLY: '1' });
      expect(await restore.printed(/^restored /)).toBe('restored 2');
      expect(await restore.exited).toBe(0);
      expect((await registeredParts(url, prefix, 'midwrite')).filter((p) => p.startsWith('3/'))).toEqual([]);
      const again = startChild(bundle, env);
      expect(await again.exited).toBe(0);
      expect(deduplicated(file)).toEqual(await failureFree());
    } finally {
      await storage.close();
      await discard(url, prefix, 'midwrite');
    }
  }, 120_000);

  it('a private redis-server stopped and started in the middle of a job: that checkpoint fails (tolerated), the next succeeds, and a restart restores it', async () => {
    const redis = await startPrivateRedis();
    const prefix = uniquePrefix('crash-outage');
    const file = join(dir, 'outage.txt');
    // enough events to outlast the outage (ioredis gives up on a command after two reconnection attempts)
    const env = { REDIS_URL: redis.url, PREFIX: prefix, JOB: 'outage', OUT: file, EVENTS: String(Math.max(EVENTS, 20_000)), INTERVAL: '10', TOLERABLE: '1000' };
    try {
      const child = startChild(bundle, env);
      expect(await child.printed(/^checkpoint \d+$/)).toBeDefined();
      await redis.stop();
      const failed = await child.printed(/^failed \d+ \d+$/);
      expect(failed).toBeDefined();
      await redis.start();
      const recovered = await child.printed(/^recovered \d+$/);
      expect(recovered).toBeDefined();
      const failedId = Number(failed!.split(' ')[1]);
      const recoveredId = Number(recovered!.split(' ')[1]);
      expect(recoveredId).toBeGreaterThan(failedId);
      child.kill();
      expect(await child.exited).toBeNull(); // still running: the failures were tolerated
      // The server came back empty: the restart restores the checkpoint taken after the outage (a full one).
      const again = startChild(bundle, env);
      const restored = Number((await again.printed(/^restored /))!.split(' ')[1]);
      expect(restored).toBeGreaterThanOrEqual(recoveredId);
      expect(await again.exited).toBe(0);
      const want = await failureFree(Number(env.EVENTS));
      expect(deduplicated(file)).toEqual(want);
    } finally {
      await discard(redis.url, prefix, 'outage').catch(() => {});
      await redis.stop();
    }
  }, 120_000);
});
