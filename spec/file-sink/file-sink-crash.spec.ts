/**
 * The file sink across real crashes: a child process runs a checkpointed job (Redis checkpoint storage)
 * that writes through the file sink, and is killed with SIGKILL at random points (after a random number
 * of completed checkpoints, then a random delay, so kills land while records are being written, files
 * rolled or committed) at least five times, then restarted until it finishes. The finished files,
 * concatenated per bucket in part order, equal a failure-free run's byte for byte (nothing lost, nothing
 * repeated), and no in-progress or pending file is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { Job, MemoryCheckpointStorage } from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { bundleJob, startChild } from '../helpers/child-job';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { byBucket, hidden } from './harness';
import { events, pipeline } from './fixtures/file-sink-job';

const SCRIPT = join(__dirname, 'fixtures', 'file-sink-job.ts');
const EVENTS = 4_000;
let dir: string;
let bundle: string;

/** The failure-free run, in this process, into `out`. */
async function reference(out: string): Promise<void> {
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name: 'reference', scheduler, checkpoints: { interval: 1e9, storage: new MemoryCheckpointStorage() } });
  await job.prepare();
  let done = false;
  pipeline(job, events(EVENTS), out).subscribe({ complete: () => (done = true) });
  scheduler.flush();
  expect(done).toBe(true);
}

describe('file sink crash recovery (a child process killed with SIGKILL)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-file-sink-crash-'));
    bundle = await bundleJob(SCRIPT, join(dir, 'file-sink-job.cjs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed at least 5 times at random points and restarted, its finished files equal a failure-free run exactly', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('file-sink-crash');
    const out = join(dir, 'out');
    const ref = join(dir, 'ref');
    await reference(ref);
    const want = byBucket(ref);
    expect(want.size).toBeGreaterThan(5); // several buckets, several parts each
    const env = { FILE_SINK_JOB_MAIN: '1', REDIS_URL: url, PREFIX: prefix, JOB: 'file-sink-crash', OUT: out, EVENTS: String(EVENTS), INTERVAL: '15' };
    let kills = 0;
    try {
      for (let run = 0; run < 8 && kills < 5; run++) {
        const child = startChild(bundle, env);
        const first = await child.printed(/^checkpoint \d+$/);
        if (first === undefined) break; // it finished before its first checkpoint
        const target = Number(first.split(' ')[1]) + Math.floor(Math.random() * 2);
        if ((await child.printed(new RegExp(`^checkpoint ${target}$`))) === undefined) break;
        // a random point after that checkpoint: while records are written, files rolled or committed
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
        child.kill();
        if ((await child.exited) === null) kills++;
      }
      const last = startChild(bundle, env);
      expect(await last.exited).toBe(0);
      expect(last.output()).toMatch(/^done$/m);
      expect(kills).toBeGreaterThanOrEqual(5);
      const got = byBucket(out);
      expect([...got.keys()]).toEqual([...want.keys()]);
      for (const [bucket, text] of want) expect(got.get(bucket)).toBe(text);
      expect([...hidden(out).keys()]).toEqual([]);
    } finally {
      const s = await RedisCheckpointStorage.connect({ url, prefix });
      await s.discardJob('file-sink-crash');
      await s.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  }, 120_000);
});
