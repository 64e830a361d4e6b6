/**
 * Crash recovery with a real process: a child runs a checkpointed keyed job (Redis storage) and is killed
 * with SIGKILL at random points, five times, then restarted until it finishes. Its output, with
 * duplicates removed (every output is its own deterministic id, as an idempotent sink's keys are), equals
 * a failure-free run: nothing lost, nothing that run did not write. A kill while a checkpoint's metadata is being written
 * never leads to restoring that checkpoint.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { Job, MemoryCheckpointStorage } from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { bundleJob, startChild } from '../helpers/child-job';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { events, pipeline } from './fixtures/crash-job';

const SCRIPT = join(__dirname, 'fixtures', 'crash-job.ts');
/** The job bundled once with esbuild: a child starts in a fraction of the time tsx needs. */
let bundle: string;
const EVENTS = 4_000;

const start = (env: Record<string, string>) => startChild(bundle, { ...env, CRASH_JOB_MAIN: '1' });

/** The distinct lines of the output file. */
function readOutput(file: string): Set<string> {
  return new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);
}

/** The failure-free run, in this process. */
function expected(): string[] {
  const out: string[] = [];
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name: 'reference', scheduler, checkpoints: { interval: 1e9, storage: new MemoryCheckpointStorage() } });
  return (async () => {
    await job.prepare();
    pipeline(job, events(EVENTS), (v) => out.push(v)).subscribe();
    scheduler.flush();
    return out;
  })() as unknown as string[];
}

describe('crash recovery (a child process killed with SIGKILL)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-crash-'));
    bundle = join(dir, 'crash-job.cjs');
    await bundleJob(SCRIPT, bundle);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed 5 times at random points and restarted, its deduplicated output equals a failure-free run', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('crash');
    const file = join(dir, 'out.txt');
    const env = { REDIS_URL: url, PREFIX: prefix, JOB: 'crash', OUT: file, EVENTS: String(EVENTS), INTERVAL: '15' };
    const want = await (expected() as unknown as Promise<string[]>);
    let kills = 0;
    try {
      // Five runs killed once they completed a random number (1-2) of new checkpoints. The source emits
      // 10 events per scheduler turn (at least 1 ms), so 4,000 events outlast five such runs.
      for (let run = 0; run < 5; run++) {
        const child = start(env);
        const n = 1 + Math.floor(Math.random() * 2);
        const first = await child.printed(/^checkpoint \d+$/);
        if (first === undefined) break; // it finished before its first checkpoint
        const id = Number(first.split(' ')[1]);
        const target = await child.printed(new RegExp(`^checkpoint ${id + n - 1}$`));
        if (target === undefined) break; // it finished first
        child.kill();
        kills++;
        expect(await child.exited).toBeNull();
      }
      const last = start(env);
      expect(await last.exited).toBe(0);
      expect(last.output()).toMatch(/^done$/m);
      const got = readOutput(file);
      expect(new Set(want).size).toBe(want.length); // every output is its own id
      expect([...got].sort()).toEqual([...want].sort());
      expect(kills).toBeGreaterThanOrEqual(5);
    } finally {
      const s = await RedisCheckpointStorage.connect({ url, prefix });
      await s.discardJob('crash');
      await s.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  }, 120_000);

  it('a kill while a checkpoint is being completed never restores that checkpoint', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('crash-mid');
    const file = join(dir, 'mid.txt');
    const env = { REDIS_URL: url, PREFIX: prefix, JOB: 'mid', OUT: file, EVENTS: String(EVENTS), INTERVAL: '15', HANG_AT_COMPLETE: '3' };
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const child = start(env);
      expect(await child.printed(/^completing 3$/)).toBe('completing 3');
      child.kill();
      await child.exited;
      // Checkpoint 3's parts were written, its metadata never was: the latest complete one is 2.
      expect((await storage.latestCheckpoint('mid'))?.checkpointId).toBe(2);
      const { HANG_AT_COMPLETE: _, ...rest } = env;
      const again = start(rest);
      expect(await again.exited).toBe(0);
      const want = await (expected() as unknown as Promise<string[]>);
      expect([...readOutput(file)].sort()).toEqual([...want].sort());
    } finally {
      await storage.discardJob('mid');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  }, 120_000);
});
