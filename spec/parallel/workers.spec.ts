/**
 * parallelWorkers: the same stage on worker threads. The worker entry (lib/node/worker.ts) and the stage
 * module (fixtures/worker-stages.ts) are bundled with esbuild first, as an application's build would.
 */
import { build } from 'esbuild';
import fc from 'fast-check';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, map as rxMap, type Observable, of, toArray, VirtualTimeScheduler } from 'rxjs';
import {
  fromCollection,
  InvalidArgumentError,
  Job,
  keyBy,
  MemoryCheckpointStorage,
  parallel,
  rebalance,
  StreamRecord,
  sum,
  values,
  Watermark,
  type StreamElement,
} from '../../lib/index';
import { parallelWorkers, WorkerError } from '../../lib/node/index';
import { stage as inProcessStage, type Ev } from './fixtures/worker-stages';

const dir = join(__dirname, '..', '..', '.tmp', 'parallel-workers');
const workerScript = join(dir, 'worker.mjs');
const stages = join(dir, 'stages.mjs');

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' } as const;
  await build({ ...common, entryPoints: [join(__dirname, '..', '..', 'lib', 'node', 'worker.ts')], outfile: workerScript });
  await build({ ...common, entryPoints: [join(__dirname, 'fixtures', 'worker-stages.ts')], outfile: stages });
}, 60_000);

const run = <T>(o: Observable<T>): Promise<T[]> => lastValueFrom(o.pipe(toArray()));
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

interface TimedEv extends Ev {
  readonly w?: boolean;
}

function input(events: readonly TimedEv[]): Array<StreamElement<Ev>> {
  const out: Array<StreamElement<Ev>> = [];
  let max = -Infinity;
  for (const e of events) {
    out.push(new StreamRecord(e, e.t));
    max = Math.max(max, e.t);
    if (e.w === true) out.push(new Watermark(max - 4));
  }
  return out;
}

/** The keyed windowed job, its keyed part on `p` worker threads (or in-process at parallelism 1). */
function job(events: readonly TimedEv[], p: number | 'in-process'): Observable<string> {
  return from(input(events)).pipe(
    keyBy((e) => e.user),
    p === 'in-process' ? parallel(1, inProcessStage) : parallelWorkers<Ev, unknown>(p, stages, { workerScript, batchSize: 7 }),
    values(),
    rxMap((x) => {
      const w = x as { key: string; window: { start: number }; value: Ev };
      return `${w.key}@${w.window.start}=${w.value.n}`;
    }),
  );
}

describe('parallelWorkers', () => {
  it('runs one subtask per worker thread, each with its own runtime context', async () => {
    const out = await run(of('a', 'b', 'c', 'd', 'e').pipe(rebalance(), parallelWorkers<string, string>(2, stages, { workerScript, exportName: 'tag' }), values()));
    // value + subtask index * 10 + parallelism
    expect(sorted(out)).toEqual(['a2', 'b12', 'c2', 'd12', 'e2']);
  });

  it('a keyed windowed job at parallelism 1–8 on worker threads outputs the multiset of parallelism 1 in-process (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ user: fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve'), n: fc.integer({ min: -5, max: 9 }), t: fc.integer({ min: 0, max: 60 }), w: fc.boolean() }), {
          maxLength: 50,
        }),
        fc.integer({ min: 1, max: 8 }),
        async (events, p) => {
          const one = await run(job(events, 'in-process'));
          const many = await run(job(events, p));
          expect(sorted(many)).toEqual(sorted(one));
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it('carries watermarks across: a window fires at the watermark, before the end of input', async () => {
    const seen: unknown[] = [];
    const src = from([new StreamRecord({ user: 'a', n: 1, t: 1 }, 1), new Watermark(9), new StreamRecord({ user: 'a', n: 1, t: 12 }, 12)]);
    await run(src.pipe(keyBy((e: Ev) => e.user), parallelWorkers<Ev, unknown>(2, stages, { workerScript }))).then((xs) => seen.push(...xs));
    const firstWindow = seen.findIndex((x) => x instanceof StreamRecord);
    const w9 = seen.findIndex((x) => x instanceof Watermark && x.time === 9);
    // the window [0, 10) comes out before W(9), both before the end-of-input watermark
    expect(firstWindow).toBeGreaterThanOrEqual(0);
    expect(firstWindow).toBeLessThan(w9);
    expect(seen[seen.length - 1]).toBe(Watermark.MAX);
  });

  it('a stage that errors fails the stream with a WorkerError naming the subtask, the stage’s error as cause', async () => {
    const err = await run(of('x', 'boom', 'y').pipe(rebalance(), parallelWorkers<string, string>(2, stages, { workerScript, exportName: 'failing' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).subtaskIndex).toBe(1);
    expect((err as Error).message).toContain('parallelWorkers: subtask 1 of 2 (worker thread) failed: UserFunctionError');
    expect((err as Error).message).toContain('bad record boom');
  });

  it('a worker that dies fails the stream with a WorkerError naming the subtask', async () => {
    const err = await run(of('die', 'x', 'y').pipe(rebalance(), parallelWorkers<string, string>(2, stages, { workerScript, exportName: 'dying' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).subtaskIndex).toBe(0);
    expect((err as Error).message).toMatch(/subtask 0 of 2 \(worker thread\) (exited with code 7|died)/);
  });

  it('a module that does not export the stage is refused with a typed error', async () => {
    const err = await run(of('a').pipe(parallelWorkers<string, string>(1, stages, { workerScript, exportName: 'notAStage' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('must export a function named "notAStage"');
    expect(() => parallelWorkers(0, stages)).toThrow(InvalidArgumentError);
    expect(() => parallelWorkers(2, stages, { batchSize: 0 })).toThrow(InvalidArgumentError);
  });

  it('checkpoints cross: a savepoint taken on 2 worker threads restores in-process at parallelism 3', async () => {
    interface KV {
      k: number;
      v: number;
    }
    const events: KV[] = Array.from({ length: 30 }, (_, i) => ({ k: i % 7, v: i }));
    const cut = 17;
    const pipeline = (j: Job, workers: boolean): Observable<string> =>
      fromCollection(events, { job: j, uid: 'events', chunkSize: cut }).pipe(
        keyBy((e) => e.k),
        workers ? parallelWorkers<KV, KV>(2, stages, { workerScript, exportName: 'sums' }) : parallel(3, (s) => s.pipe(sum<KV>('v', { uid: 'sum' }))),
        values(),
        rxMap((x) => JSON.stringify(x)),
      );
    const reference = await run(pipeline(new Job({ name: 'ref' }), false));
    const storage = new MemoryCheckpointStorage();
    const scheduler = new VirtualTimeScheduler();
    const first = new Job({ name: 'w', scheduler, checkpoints: { interval: 1_000_000, storage } });
    await first.prepare();
    const sub = pipeline(first, true).subscribe();
    // the first chunk (cut events) is emitted at subscription; the savepoint's barrier follows it
    const stats = await first.savepoint('sp');
    expect(stats.status).toBe('completed');
    sub.unsubscribe();
    const second = new Job({ name: 'w', checkpoints: { interval: 1_000_000, storage }, restoreFrom: { savepoint: 'sp' } });
    await second.prepare();
    const after = await run(pipeline(second, false));
    expect(after).toEqual(reference.slice(cut));
  }, 60_000);
});
