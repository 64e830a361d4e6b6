/**
 * The file sink's lifecycle with real files: in-progress → pending → finished only when the checkpoint
 * completes; restore truncates and resumes the in-progress file, finishes the pending ones and deletes
 * the leftovers; without checkpoints, files are finished at the end of input; bad directories and bad
 * records get a FileSinkError.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { CheckpointError, InvalidArgumentError, Job, MemoryCheckpointStorage, type CheckpointStorage } from '../../lib/index';
import {
  BasePathBucketAssigner,
  DefaultRollingPolicy,
  fileSink,
  FileSinkError,
  jsonLinesFormat,
  lineFormat,
  OnCheckpointRollingPolicy,
} from '../../lib/node/index';
import { byBucket, drive, filesUnder, finished, hidden } from './harness';

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'tidemark-file-sink-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `d${n++}`);

async function checkpointedJob(storage: CheckpointStorage, name = 'files'): Promise<Job> {
  const job = new Job({ name, scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1e9, storage } });
  await job.prepare();
  return job;
}

describe('fileSink', () => {
  it('keeps a rolled file pending until its checkpoint completes, then finishes it', async () => {
    const dir = freshDir();
    const storage = new MemoryCheckpointStorage();
    // hold checkpoint 1's metadata write, to look at the files between the barrier and the completion
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const complete = storage.completeCheckpoint.bind(storage);
    storage.completeCheckpoint = async (m, retain) => {
      await held;
      return complete(m, retain);
    };
    const job = await checkpointedJob(storage);
    const d = drive<string>(job, fileSink({ path: dir, uid: 'sink', bucketAssigner: new BasePathBucketAssigner(), rollingPolicy: new OnCheckpointRollingPolicy(), bufferSize: 1 }));
    d.emit('a');
    d.emit('b');
    expect([...filesUnder(dir)]).toEqual([['.part-0-0.txt.inprogress', 'a\nb\n']]);
    const done = d.checkpoint();
    d.emit('c'); // after the barrier: a new in-progress file
    expect(finished(dir).size).toBe(0);
    expect([...hidden(dir)]).toEqual([
      ['.part-0-0.txt.inprogress', 'a\nb\n'],
      ['.part-0-1.txt.inprogress', 'c\n'],
    ]);
    release();
    await done;
    expect([...finished(dir)]).toEqual([['part-0-0.txt', 'a\nb\n']]);
    expect([...hidden(dir)]).toEqual([['.part-0-1.txt.inprogress', 'c\n']]);
    d.end();
    expect(d.completed).toBe(true);
    expect([...filesUnder(dir)]).toEqual([
      ['part-0-0.txt', 'a\nb\n'],
      ['part-0-1.txt', 'c\n'],
    ]);
  });

  it('a failed checkpoint leaves its files pending; the next completed one finishes them', async () => {
    const dir = freshDir();
    const storage = new MemoryCheckpointStorage();
    const complete = storage.completeCheckpoint.bind(storage);
    let failNext = true;
    storage.completeCheckpoint = async (m, retain) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      return complete(m, retain);
    };
    const job = new Job({ name: 'aborts', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1e9, storage, tolerableFailures: 5 } });
    await job.prepare();
    const d = drive<string>(job, fileSink({ path: dir, uid: 'sink', bucketAssigner: new BasePathBucketAssigner(), rollingPolicy: new OnCheckpointRollingPolicy() }));
    d.emit('a');
    await expect(d.checkpoint()).rejects.toThrow(/disk full/);
    expect(finished(dir).size).toBe(0);
    d.emit('b');
    await d.checkpoint();
    expect([...finished(dir)]).toEqual([
      ['part-0-0.txt', 'a\n'],
      ['part-0-1.txt', 'b\n'],
    ]);
    d.crash();
  });

  it('restored, it truncates the in-progress file to its checkpointed length, resumes it, finishes pending files and deletes leftovers', async () => {
    const dir = freshDir();
    const storage = new MemoryCheckpointStorage();
    const sink = () =>
      fileSink<string>({ path: dir, uid: 'sink', bucketAssigner: (v) => v[0]!, rollingPolicy: new DefaultRollingPolicy({ maxPartSize: 6 }), bufferSize: 1 });
    // run 1: bucket a rolls once (pending at the checkpoint), b stays in progress. The checkpoint's
    // metadata is written, and the run crashes before the sink hears that it completed.
    let written!: () => void;
    const isWritten = new Promise<void>((r) => (written = r));
    const complete = storage.completeCheckpoint.bind(storage);
    storage.completeCheckpoint = async (m, retain) => {
      await complete(m, retain);
      written();
      await new Promise(() => {});
    };
    const job1 = await checkpointedJob(storage);
    const d1 = drive<string>(job1, sink());
    for (const v of ['a1', 'a2', 'a3', 'b1']) d1.emit(v); // a: "a1\na2\n" rolls before a3
    void d1.checkpoint();
    await isWritten;
    for (const v of ['b2', 'a4', 'a5', 'b3', 'c1']) d1.emit(v); // after the checkpoint: replayed later
    expect(finished(dir).size).toBe(0);
    d1.crash();
    storage.completeCheckpoint = complete;
    // what run 1 left: whatever finished, plus hidden files
    const job2 = await checkpointedJob(storage);
    const d2 = drive<string>(job2, sink());
    expect(d2.restoredAt).toBe(4);
    // a's pending file is finished; a's and b's in-progress files are truncated to the checkpoint; c's leftover is gone
    expect([...hidden(dir)].sort()).toEqual([
      ['a/.part-0-1.txt.inprogress', 'a3\n'],
      ['b/.part-0-2.txt.inprogress', 'b1\n'],
    ]);
    expect(finished(dir).get('a/part-0-0.txt')).toBe('a1\na2\n');
    for (const v of ['b2', 'a4', 'a5', 'b3', 'c1']) d2.emit(v);
    d2.end();
    expect([...byBucket(dir)]).toEqual([
      ['a', 'a1\na2\na3\na4\na5\n'],
      ['b', 'b1\nb2\nb3\n'],
      ['c', 'c1\n'],
    ]);
    expect(hidden(dir).size).toBe(0);
  });

  const script = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant('record' as const) }, fc.constant('checkpoint' as const), fc.constant('crash' as const)), { maxLength: 60 });

  it('after any sequence of records, checkpoints and crashes, the finished files hold the input exactly once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(script, fc.array(fc.stringMatching(/^[abc][0-9]{0,3}$/), { maxLength: 50 }), fc.integer({ min: 3, max: 20 }), fc.boolean(), async (steps, input, maxPartSize, onCheckpoint) => {
        const dir = freshDir();
        const storage = new MemoryCheckpointStorage();
        const sink = () =>
          fileSink<string>({
            path: dir,
            uid: 'sink',
            bucketAssigner: (v) => v[0]!,
            rollingPolicy: new DefaultRollingPolicy({ maxPartSize, rollOnCheckpoint: onCheckpoint }),
            bufferSize: 1 + (maxPartSize % 5),
          });
        let d = drive<string>(await checkpointedJob(storage), sink());
        let next = 0;
        for (const s of steps) {
          if (s === 'checkpoint') await d.checkpoint();
          else if (s === 'crash') {
            d.crash();
            d = drive<string>(await checkpointedJob(storage), sink());
            next = d.restoredAt; // what came after the restored checkpoint comes again
          } else if (next < input.length) d.emit(input[next++]!);
        }
        d.crash();
        // Finish: restore once more, replay everything after the restored position, end.
        const last = drive<string>(await checkpointedJob(storage), sink());
        for (const v of input.slice(last.restoredAt)) last.emit(v);
        last.end();
        expect(last.errors).toEqual([]);
        const want = new Map<string, string>();
        for (const v of input) want.set(v[0]!, (want.get(v[0]!) ?? '') + `${v}\n`);
        expect(new Map([...byBucket(dir)])).toEqual(want);
        expect(hidden(dir).size).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});

describe('fileSink without checkpoints (at-least-once)', () => {
  it('finishes a rolled file at once and every file at the end of input', () => {
    const dir = freshDir();
    const scheduler = new VirtualTimeScheduler();
    const d = drive<string>(new Job({ scheduler }), fileSink({ path: dir, bucketAssigner: new BasePathBucketAssigner(), rollingPolicy: new DefaultRollingPolicy({ maxPartSize: 4 }) }));
    d.emit('a');
    d.emit('b');
    d.emit('c');
    expect([...finished(dir)]).toEqual([['part-0-0.txt', 'a\nb\n']]);
    expect([...hidden(dir).keys()]).toEqual(['.part-0-1.txt.inprogress']);
    d.end();
    expect([...finished(dir)]).toEqual([
      ['part-0-0.txt', 'a\nb\n'],
      ['part-0-1.txt', 'c\n'],
    ]);
    expect(hidden(dir).size).toBe(0);
  });

  it('a new run next to an earlier run deletes its leftovers and never overwrites a finished file', () => {
    const dir = freshDir();
    const sink = () => fileSink<string>({ path: dir, bucketAssigner: new BasePathBucketAssigner() });
    const first = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), sink());
    first.emit('x');
    first.end();
    const crashed = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), sink());
    crashed.emit('lost');
    crashed.crash();
    expect([...hidden(dir).keys()]).toEqual(['.part-0-1.txt.inprogress']);
    const again = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), sink());
    expect(hidden(dir).size).toBe(0);
    again.emit('y');
    again.end();
    expect([...finished(dir)]).toEqual([
      ['part-0-0.txt', 'x\n'],
      ['part-0-1.txt', 'y\n'],
    ]);
  });
});

describe('fileSink errors', () => {
  it('a directory that is not writable fails with a FileSinkError naming it', () => {
    const file = join(freshDir() + '-file');
    writeFileSync(file, 'not a directory');
    for (const path of [file, join(file, 'below')]) {
      const d = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path }));
      expect(d.errors).toHaveLength(1);
      expect(d.errors[0]).toBeInstanceOf(FileSinkError);
      expect((d.errors[0] as Error).message).toContain(`"${path}"`);
      expect((d.errors[0] as Error).message).toMatch(/not writable|not a directory/);
    }
  });

  it('a checkpointed job needs a uid; bad options are refused synchronously', async () => {
    const d = drive<string>(await checkpointedJob(new MemoryCheckpointStorage()), fileSink({ path: freshDir() }));
    expect(d.errors[0]).toBeInstanceOf(CheckpointError);
    expect((d.errors[0] as Error).message).toMatch(/needs a uid .*fileSink\(\{ path, uid/);
    expect(() => fileSink({ path: '' })).toThrow(InvalidArgumentError);
    expect(() => fileSink({ path: 'x', bucketCheckInterval: 0 })).toThrow(/bucketCheckInterval must be a positive integer, got 0/);
    expect(() => fileSink({ path: 'x', outputFileConfig: { partPrefix: '../up' } })).toThrow(/partPrefix/);
    expect(() => fileSink({ path: 'x', format: {} as never })).toThrow(/format must be a row format/);
  });

  it('a bad bucket id or a record the format refuses fails the sink with a FileSinkError', () => {
    for (const [bucket, pattern] of [
      ['../escape', /not a relative directory/],
      ['/abs', /not a relative directory/],
      ['a//b', /not a relative directory/],
      [42, /returned 42 .*not a string/],
    ] as const) {
      const d = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path: freshDir(), bucketAssigner: () => bucket as string }));
      d.emit('a');
      expect(d.errors[0]).toBeInstanceOf(FileSinkError);
      expect((d.errors[0] as Error).message).toMatch(pattern);
    }
    const lines = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path: freshDir(), format: lineFormat() }));
    lines.emit('two\nlines');
    expect((lines.errors[0] as Error).message).toMatch(/holds a line break.*jsonLinesFormat/);
    const json = drive<unknown>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path: freshDir(), format: jsonLinesFormat() }));
    json.emit(10n);
    expect(json.errors[0]).toBeInstanceOf(FileSinkError);
    expect((json.errors[0] as Error).message).toMatch(/cannot be written as JSON/);
  });

  it('a restore that finds a part file changed by hand fails, naming it', async () => {
    const dir = freshDir();
    const storage = new MemoryCheckpointStorage();
    const sink = () => fileSink<string>({ path: dir, uid: 'sink', bucketAssigner: new BasePathBucketAssigner(), bufferSize: 1 });
    const d = drive<string>(await checkpointedJob(storage), sink());
    d.emit('abc');
    await d.checkpoint();
    d.crash();
    writeFileSync(join(dir, '.part-0-0.txt.inprogress'), 'a');
    const again = drive<string>(await checkpointedJob(storage), sink());
    expect(again.errors[0]).toBeInstanceOf(FileSinkError);
    expect((again.errors[0] as Error).message).toMatch(/\.part-0-0\.txt\.inprogress" has 1 bytes, the checkpoint recorded 4/);
    rmSync(join(dir, '.part-0-0.txt.inprogress'));
    const gone = drive<string>(await checkpointedJob(storage), sink());
    expect((gone.errors[0] as Error).message).toMatch(/is gone: its records are lost/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
