/**
 * Each rolling policy on real files: by size (a bound the files keep), by age and by inactivity (checked
 * on the sink's scheduler in virtual time), and at checkpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { Job, MemoryCheckpointStorage } from '../../lib/index';
import { BasePathBucketAssigner, DefaultRollingPolicy, fileSink, OnCheckpointRollingPolicy, type RollingPolicy } from '../../lib/node/index';
import { drive, finished, hidden } from './harness';

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'tidemark-rolling-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `d${n++}`);

/** Emits `records` ([time, value]) on a virtual clock, ends at `end`, and returns the finished files' contents in order. */
function runTimed(policy: RollingPolicy<string>, records: ReadonlyArray<readonly [number, string]>, end: number, bucketCheckInterval = 10): string[] {
  const dir = freshDir();
  const scheduler = new VirtualTimeScheduler();
  const d = drive<string>(new Job({ scheduler }), fileSink({ path: dir, bucketAssigner: new BasePathBucketAssigner(), rollingPolicy: policy, bucketCheckInterval }));
  for (const [t, v] of records) scheduler.schedule(() => d.emit(v), t);
  scheduler.schedule(() => d.end(), end);
  scheduler.flush();
  expect(d.errors).toEqual([]);
  expect(hidden(dir).size).toBe(0);
  return [...finished(dir)].sort(([a], [b]) => Number(a.split('-')[2]!.split('.')[0]) - Number(b.split('-')[2]!.split('.')[0])).map(([, text]) => text);
}

describe('DefaultRollingPolicy', () => {
  it('by size: no file exceeds maxPartSize, and each file but the last was full (the next record did not fit) (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{0,9}$/), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (values, maxPartSize) => {
        const files = runTimed(new DefaultRollingPolicy({ maxPartSize }), values.map((v) => [0, v] as const), 1);
        expect(files.join('')).toBe(values.map((v) => `${v}\n`).join(''));
        const sizes = files.map((f) => Buffer.byteLength(f));
        let i = 0;
        for (let f = 0; f < files.length; f++) {
          const lines = files[f]!.split('\n').length - 1;
          // a file exceeds the bound only when it holds a single record larger than the bound
          if (sizes[f]! > maxPartSize) expect(lines).toBe(1);
          i += lines;
          if (f < files.length - 1) expect(sizes[f]! + Buffer.byteLength(`${values[i]}\n`)).toBeGreaterThan(maxPartSize);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('by rollover interval: a file rolls at the first bucket check once it is that old', () => {
    const policy = new DefaultRollingPolicy({ rolloverInterval: 100, inactivityInterval: 10_000 });
    // opened at 5; checks every 10 ms: the check at 110 rolls it (110 - 5 ≥ 100), not the one at 100
    expect(runTimed(policy, [[5, 'a'], [50, 'b'], [104, 'c'], [111, 'd'], [150, 'e']], 300)).toEqual(['a\nb\nc\n', 'd\ne\n']);
  });

  it('by inactivity: a file rolls at the first bucket check once nothing was written to it for that long', () => {
    const policy = new DefaultRollingPolicy({ rolloverInterval: 10_000, inactivityInterval: 30 });
    // checks every 10 ms: at 50 the file was idle 28 ms (d joins it), at 80 29 ms, at 90 39 ms: it rolls
    // there, so e (95) opens a new file, and f (124) joins e's (idle 25 ms at 120)
    expect(runTimed(policy, [[0, 'a'], [15, 'b'], [22, 'c'], [51, 'd'], [95, 'e'], [124, 'f']], 300)).toEqual(['a\nb\nc\nd\n', 'e\nf\n']);
  });

  it('refuses sizes and durations that are not positive numbers', () => {
    expect(() => new DefaultRollingPolicy({ maxPartSize: 0 })).toThrow(/maxPartSize must be a finite number > 0, got 0/);
    expect(() => new DefaultRollingPolicy({ inactivityInterval: Number.NaN })).toThrow(/inactivityInterval/);
    expect(() => new DefaultRollingPolicy({ rolloverInterval: -1 })).toThrow(/rolloverInterval/);
  });
});

describe('rolling at checkpoints', () => {
  async function checkpointed(policy: RollingPolicy<string>, script: ReadonlyArray<string | 'CP'>): Promise<string[]> {
    const dir = freshDir();
    const job = new Job({ name: 'roll', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1e9, storage: new MemoryCheckpointStorage() } });
    await job.prepare();
    const d = drive<string>(job, fileSink({ path: dir, uid: 'sink', bucketAssigner: new BasePathBucketAssigner(), rollingPolicy: policy }));
    for (const s of script) {
      if (s === 'CP') await d.checkpoint();
      else d.emit(s);
    }
    d.end();
    return [...finished(dir)].sort().map(([, t]) => t);
  }

  it('OnCheckpointRollingPolicy: one file per checkpoint interval', async () => {
    expect(await checkpointed(new OnCheckpointRollingPolicy(), ['a', 'b', 'CP', 'c', 'CP', 'CP', 'd'])).toEqual(['a\nb\n', 'c\n', 'd\n']);
  });

  it('DefaultRollingPolicy rolls at checkpoints only when asked', async () => {
    expect(await checkpointed(new DefaultRollingPolicy(), ['a', 'CP', 'b', 'CP', 'c'])).toEqual(['a\nb\nc\n']);
    expect(await checkpointed(new DefaultRollingPolicy({ rollOnCheckpoint: true }), ['a', 'CP', 'b', 'CP', 'c'])).toEqual(['a\n', 'b\n', 'c\n']);
  });
});
