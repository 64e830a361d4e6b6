/**
 * Savepoints end to end: stop with savepoint, restore at another parallelism (keyed state by key group,
 * list state split evenly, union list state to every subtask), state of an unknown uid refused unless
 * dropped on purpose, another job's savepoint only when named, and a failed stop that lets the job go on.
 */
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import {
  CheckpointError,
  filter,
  fromCollection,
  Job,
  keyBy,
  keyedProcess,
  keyGroupOf,
  ListStateDescriptor,
  MemoryCheckpointStorage,
  NonRestoredStateError,
  process,
  StreamRecord,
  subtaskForKeyGroup,
  ValueStateDescriptor,
  values,
  Watermark,
  type CheckpointStats,
  type CheckpointStorage,
  type FunctionInitializationContext,
  type JobOptions,
  type KeyedProcessFunction,
  type ListState,
  type ValueState,
} from '../../lib/index';

interface Ev {
  k: string;
  v: number;
}
type Input = StreamRecord<Ev> | Watermark;

const MAX_P = 16;

/** A per-key sum with an event-time timer per record (reporting the sum then). */
function summer(): KeyedProcessFunction<string, Ev, string> {
  let sum!: ValueState<number>;
  return {
    open(ctx) {
      sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
    },
    processElement(e, ctx, out) {
      sum.update(sum.value()! + e.v);
      out.collect(`${e.k}+${e.v}=${sum.value()}`);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 3);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${t}:${sum.value()}`);
    },
  };
}

/** The job's pipeline; as subtask i of p it keeps only the records whose key its key groups own (what keyBy's channel would route to it). */
function pipeline(job: Job, input: readonly Input[], onRecord: (n: number) => void = () => {}, uid = 'sums') {
  let n = 0;
  const mine = (e: Ev): boolean => subtaskForKeyGroup(keyGroupOf(e.k, MAX_P), MAX_P, job.parallelism) === job.subtaskIndex;
  return fromCollection(input as unknown as Ev[], { job, uid: 'events', chunkSize: 5 }).pipe(
    filter((e: Ev) => {
      onRecord(++n);
      return mine(e);
    }),
    keyBy((e: Ev) => e.k),
    keyedProcess(summer(), { uid }),
    values(),
  );
}

/** Runs what the scheduler has due now (the source's chunks), not the checkpoint timers and timeouts. */
function runDueNow(job: Job): void {
  const s = job.scheduler as VirtualTimeScheduler;
  const max = s.maxFrames;
  s.maxFrames = s.now();
  try {
    s.flush();
  } finally {
    s.maxFrames = max;
  }
}

const newJob = (storage: CheckpointStorage, options: Partial<JobOptions> = {}): Job =>
  new Job({ name: 'sums', scheduler: new VirtualTimeScheduler(), maxParallelism: MAX_P, checkpoints: { interval: 1_000_000, storage }, ...options });

async function runToEnd(job: Job, input: readonly Input[], uid?: string): Promise<string[]> {
  await job.prepare();
  const out: string[] = [];
  let done = false;
  let error: unknown;
  pipeline(job, input, undefined, uid).subscribe({ next: (x) => out.push(x), complete: () => (done = true), error: (e: unknown) => (error = e) });
  // the restored-state check runs once every source started (a promise job after the first)
  await Promise.resolve();
  (job.scheduler as VirtualTimeScheduler).flush();
  if (error !== undefined) throw error;
  expect(done).toBe(true);
  return out;
}

/** Runs until record `cut`, stops the job there with a savepoint, and returns what it emitted. */
async function runAndStop(storage: CheckpointStorage, input: readonly Input[], cut: number, name = 'sp'): Promise<{ out: string[]; stats: CheckpointStats }> {
  const job = newJob(storage);
  await job.prepare();
  const out: string[] = [];
  let done = false;
  let stopped: Promise<CheckpointStats> | undefined;
  pipeline(job, input, (n) => {
    if (n === cut) stopped = job.stopWithSavepoint(name);
  }).subscribe({ next: (x) => out.push(x), complete: () => (done = true) });
  runDueNow(job);
  expect(stopped).toBeDefined();
  const stats = await stopped!;
  expect(done).toBe(true);
  return { out, stats };
}

const inputs: fc.Arbitrary<Input[]> = fc
  .array(fc.record({ k: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), v: fc.integer({ min: 1, max: 9 }), dt: fc.integer({ min: 0, max: 3 }), wm: fc.boolean() }), { minLength: 2, maxLength: 40 })
  .map((rs) => {
    const out: Input[] = [];
    let time = 0;
    for (const r of rs) {
      time += r.dt;
      out.push(new StreamRecord<Ev>({ k: r.k, v: r.v }, time));
      if (r.wm) out.push(new Watermark(time - 1));
    }
    return out;
  });

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('savepoints', () => {
  it('stop with savepoint at parallelism 1, restored as 2 and as 3 subtask jobs: the union of their outputs completes the uninterrupted run (property)', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, fc.nat(), async (input, c) => {
        const records = input.filter((x) => x instanceof StreamRecord).length;
        const cut = 1 + (c % records);
        const expected = await runToEnd(newJob(new MemoryCheckpointStorage(), { name: 'reference' }), input);
        const storage = new MemoryCheckpointStorage();
        const { out: before, stats } = await runAndStop(storage, input, cut);
        expect([stats.kind, stats.name, stats.full]).toEqual(['savepoint', 'sp', true]);
        // stopped right after the savepoint's barrier: no record after the cut was processed
        expect(before).toEqual(expected.slice(0, before.length));
        for (const parallelism of [2, 3]) {
          const after: string[] = [];
          for (let i = 0; i < parallelism; i++) {
            const job = newJob(storage, { subtaskIndex: i, parallelism, restoreFrom: { savepoint: 'sp' } });
            after.push(...(await runToEnd(job, input)));
          }
          expect(sorted([...before, ...after])).toEqual(sorted(expected));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('splits list state evenly over the new subtasks and gives union list state to every one', async () => {
    const storage = new MemoryCheckpointStorage();
    const items = Array.from({ length: 7 }, (_, i) => `x${i}`);
    type Fn = import('../../lib/index').ProcessFunction<string, string> & { restored: string[][] };
    const withState = (): Fn => {
      let split!: ListState<string>;
      let union!: ListState<string>;
      const fn: Fn = {
        restored: [],
        initializeState(ctx: FunctionInitializationContext) {
          split = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<string>('split'));
          union = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<string>('union'));
          fn.restored = [split.get(), union.get()];
        },
        snapshotState() {},
        processElement(v) {
          split.add(v);
          union.add(v.toUpperCase());
        },
      } as Fn;
      return fn;
    };
    const job = newJob(storage, { name: 'lists' });
    await job.prepare();
    let stop: Promise<CheckpointStats> | undefined;
    let n = 0;
    fromCollection(items, { job, uid: 'items' })
      .pipe(
        filter(() => {
          if (++n === items.length) stop = job.stopWithSavepoint('lists-sp');
          return true;
        }),
        process(withState(), { uid: 'p' }),
      )
      .subscribe();
    runDueNow(job);
    await stop;
    const shares: string[][][] = [];
    for (let i = 0; i < 3; i++) {
      const fn = withState();
      const sub = newJob(storage, { name: 'lists', subtaskIndex: i, parallelism: 3, restoreFrom: { savepoint: 'lists-sp' } });
      await sub.prepare();
      fromCollection(items, { job: sub, uid: 'items' }).pipe(process(fn, { uid: 'p' })).subscribe();
      shares.push(fn.restored);
    }
    expect(shares.map(([split]) => split)).toEqual([
      ['x0', 'x1', 'x2'],
      ['x3', 'x4'],
      ['x5', 'x6'],
    ]);
    for (const [, union] of shares) expect(union).toEqual(items.map((x) => x.toUpperCase()));
  });

  it('refuses state of a uid no operator registers, naming it, unless allowNonRestoredState drops it', async () => {
    const storage = new MemoryCheckpointStorage();
    // long enough that the restored run does not end in its first (synchronous) chunk, before the check
    const input: Input[] = Array.from({ length: 20 }, (_, i) => new StreamRecord<Ev>({ k: `k${i % 2}`, v: 1 }, i));
    await runAndStop(storage, input, 3);
    const err = await runToEnd(newJob(storage, { restoreFrom: { savepoint: 'sp' } }), input, 'renamed').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRestoredStateError);
    expect((err as NonRestoredStateError).uids).toEqual(['sums']);
    expect((err as Error).message).toMatch(/operator uid\(s\) "sums" that no operator of this job registers: give the operator that should take it that uid, or drop that state with allowNonRestoredState: true/);
    // dropped: the renamed operator starts empty, the source resumes after the cut
    const out = await runToEnd(newJob(storage, { restoreFrom: { savepoint: 'sp' }, allowNonRestoredState: true }), input, 'renamed');
    expect(out.filter((x) => x.includes('+')).slice(0, 4)).toEqual(['k1+1=1', 'k0+1=1', 'k1+1=2', 'k0+1=2']);
  });

  it('restores another job\'s savepoint only when named, and refuses a savepoint record that names another job', async () => {
    const storage = new MemoryCheckpointStorage();
    const input: Input[] = Array.from({ length: 6 }, (_, i) => new StreamRecord<Ev>({ k: 'k', v: 1 }, i));
    await runAndStop(storage, input, 2);
    const other = (options: Partial<JobOptions>, s: CheckpointStorage = storage) => newJob(s, { name: 'sums-v2', ...options });
    const missing = await other({ restoreFrom: { savepoint: 'sp' } }).prepare().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CheckpointError);
    expect((missing as Error).message).toMatch(/there is no savepoint "sp" of job "sums-v2" .*it has none.*restoreFrom: \{ savepoint, job: 'that-job' \}/);
    const out = await runToEnd(other({ restoreFrom: { savepoint: 'sp', job: 'sums' } }), input);
    expect(out.filter((x) => x.includes('+'))).toEqual(['k+1=3', 'k+1=4', 'k+1=5', 'k+1=6']);
    // a record copied under another job's name (here: a storage that answers with job "sums"'s record)
    const copied = Object.assign(Object.create(storage) as MemoryCheckpointStorage, { savepoint: (_job: string, name: string) => storage.savepoint('sums', name) });
    const refused = await other({ restoreFrom: { savepoint: 'sp' } }, copied).prepare().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointError);
    expect((refused as Error).message).toMatch(/the savepoint "sp" found for job "sums-v2" was written by job "sums": it was copied or is corrupt; to restore job "sums"'s savepoint, name it: restoreFrom: \{ savepoint: 'sp', job: 'sums' \}/);
  });

  it('names an unnamed savepoint after its id, and records each uid\'s operator kind and state names in the metadata', async () => {
    const storage = new MemoryCheckpointStorage();
    const job = newJob(storage);
    await job.prepare();
    let saved: Promise<CheckpointStats> | undefined;
    const input: Input[] = Array.from({ length: 4 }, (_, i) => new StreamRecord<Ev>({ k: 'k', v: 1 }, i));
    pipeline(job, input, (n) => {
      if (n === 2) saved = job.stopWithSavepoint();
    }).subscribe();
    runDueNow(job);
    const stats = await saved!;
    expect(stats.name).toBe(`savepoint-${stats.checkpointId}`);
    const meta = (await storage.savepoint('sums', stats.name!))!;
    expect(meta.format).toBe('tidemark-checkpoint/1');
    expect([meta.jobName, meta.kind, meta.maxParallelism, meta.serializer]).toEqual(['sums', 'savepoint', MAX_P, 'tidemark-json/1']);
    expect(meta.operators.map((o) => [o.uid, o.kind, o.states])).toEqual(
      expect.arrayContaining([
        ['events', 'fromCollection', undefined],
        ['sums', 'keyedProcess', ['sum']],
      ]),
    );
  });

  it('lets the job go on when the stop\'s savepoint fails, and rejects', async () => {
    const storage = new MemoryCheckpointStorage();
    let failing = true;
    const flaky = Object.assign(Object.create(storage) as MemoryCheckpointStorage, {
      writeState: (...args: Parameters<MemoryCheckpointStorage['writeState']>) => (failing ? Promise.reject(new Error('disk full')) : storage.writeState(...args)),
    });
    const input: Input[] = Array.from({ length: 8 }, (_, i) => new StreamRecord<Ev>({ k: 'k', v: 1 }, i));
    const job = newJob(flaky, { checkpoints: { interval: 1_000_000, storage: flaky, tolerableFailures: 5 } });
    await job.prepare();
    const out: string[] = [];
    let done = false;
    let stop: Promise<CheckpointStats> | undefined;
    pipeline(job, input, (n) => {
      if (n === 3) stop = job.stopWithSavepoint('sp');
    }).subscribe({ next: (x) => out.push(x), complete: () => (done = true) });
    runDueNow(job);
    await expect(stop).rejects.toThrow(/disk full/);
    failing = false;
    expect(done).toBe(false);
    runDueNow(job);
    expect(done).toBe(true);
    expect(out.filter((x) => x.includes('+'))).toHaveLength(8);
  });
});
