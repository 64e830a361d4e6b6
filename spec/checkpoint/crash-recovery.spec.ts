/**
 * Crash recovery with a real process: a child runs a checkpointed keyed job (Redis storage) and is killed
 * with SIGKILL at random points, five times, then restarted until it finishes. Its output, with
 * duplicates removed (every output is its own deterministic id, as an idempotent sink's keys are), equals
 * a failure-free run: nothing lost, nothing that run did not write. A kill while a checkpoint's metadata is being written
 * never leads to restoring that checkpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { VirtualTimeScheduler } from 'rxjs';
import { Job, MemoryCheckpointStorage } from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { events, pipeline } from './fixtures/crash-job';

const SCRIPT = join(__dirname, 'fixtures', 'crash-job.ts');
/** The job bundled once with esbuild: a child starts in a fraction of the time tsx needs. */
let bundle: string;
const EVENTS = 4_000;

interface Child {
  /** Resolves with the exit code (null when killed) once it exited. */
  exited: Promise<number | null>;
  /** Resolves with the first line matching `re` the child printed, or undefined if it exited without one. */
  printed(re: RegExp): Promise<string | undefined>;
  kill(): void;
  output(): string;
}

function start(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [bundle], { env: { ...process.env, ...env, CRASH_JOB_MAIN: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: (line: string | undefined) => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = out.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exited,
    printed: (re) =>
      new Promise<string | undefined>((resolve) => {
        const m = out.split('\n').find((l) => re.test(l));
        if (m !== undefined) return resolve(m);
        waiters.push({ re, resolve });
        // stdout is read to its end before 'exit' only sometimes: look once more when it closed.
        void exited.then(() => setImmediate(() => resolve(out.split('\n').find((l) => re.test(l)))));
      }),
    kill: () => child.kill('SIGKILL'),
    output: () => out + err,
  };
}

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
    await build({ entryPoints: [SCRIPT], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'warning' });
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
