/**
 * A job with checkpoints on: the source emits barriers when the coordinator triggers, stateful operators
 * register by uid and acknowledge, and a new run of the job restores the latest checkpoint: the source
 * resumes at its position and the operators from their state, so the output of the run that stopped
 * (up to its checkpoint) followed by the restored run's equals an uninterrupted run.
 */
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import {
  CheckpointError,
  fromCollection,
  Job,
  keyBy,
  keyedProcess,
  assignWatermarks,
  MemoryCheckpointStorage,
  WatermarkStrategy,
  ValueStateDescriptor,
  values,
  type CheckpointStorage,
  type KeyedProcessFunction,
  type ValueState,
} from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';

interface Ev {
  k: string;
  v: number;
  t: number;
}

/** Sums per key; registers an event-time timer at t + 10 that reports the sum then. */
function summer(): KeyedProcessFunction<string, Ev, string> {
  let sum!: ValueState<number>;
  return {
    open(ctx) {
      sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
    },
    processElement(e, ctx, out) {
      sum.update(sum.value()! + e.v);
      out.collect(`${e.k}+${e.v}=${sum.value()}`);
      ctx.timerService().registerEventTimeTimer(e.t + 10);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${t}:${sum.value()}`);
    },
  };
}

function pipeline(job: Job, events: readonly Ev[], chunkSize: number) {
  return fromCollection(events, { job, uid: 'events', chunkSize }).pipe(
    assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(1_000).withTimestampAssigner((e) => e.t)),
    keyBy((e) => e.k),
    keyedProcess(summer(), { uid: 'sums' }),
    values(),
  );
}

/** Runs the job to the end on a virtual scheduler and returns its output. */
async function runAll(events: readonly Ev[], storage: CheckpointStorage, name: string): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name, scheduler, checkpoints: { interval: 1_000_000, storage } });
  await job.prepare();
  const out: string[] = [];
  let done = false;
  pipeline(job, events, 7).subscribe({ next: (x) => out.push(x), complete: () => (done = true) });
  scheduler.flush();
  expect(done).toBe(true);
  return out;
}

/** Emits the first `cut` events, checkpoints there, waits for completion, then stops (as a crash would). */
async function runUntilCheckpoint(events: readonly Ev[], storage: CheckpointStorage, name: string, cut: number): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = new Job({ name, scheduler, checkpoints: { interval: 1_000_000, storage } });
  await job.prepare();
  const out: string[] = [];
  // The first chunk is emitted synchronously at subscription; the rest waits for the scheduler.
  const sub = pipeline(job, events, cut).subscribe((x) => out.push(x));
  const stats = await job.coordinator!.trigger();
  expect(stats.status).toBe('completed');
  sub.unsubscribe();
  return out;
}

const event = fc.record({ k: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: 1, max: 9 }), t: fc.integer({ min: 0, max: 100 }) });

describe('a checkpointed job', () => {
  it('restored at a random checkpoint, continues exactly where the checkpoint was (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 40 }), fc.nat(), async (events, c) => {
        const cut = 1 + (c % events.length);
        const storage = new MemoryCheckpointStorage();
        const expected = await runAll(events, new MemoryCheckpointStorage(), 'reference');
        const before = await runUntilCheckpoint(events, storage, 'job', cut);
        const after = await runAll(events, storage, 'job');
        expect([...before, ...after]).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('restores from Redis in a new job', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('job');
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      const events: Ev[] = Array.from({ length: 50 }, (_, i) => ({ k: `k${i % 4}`, v: i % 7, t: i * 3 }));
      const expected = await runAll(events, new MemoryCheckpointStorage(), 'reference');
      const before = await runUntilCheckpoint(events, storage, 'redis-job', 23);
      const after = await runAll(events, storage, 'redis-job');
      expect([...before, ...after]).toEqual(expected);
    } finally {
      await storage.discardJob('redis-job');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });

  it('refuses a source or a stateful operator without a uid, and two operators with one uid, naming them', async () => {
    const job = (): Job => new Job({ name: 'uids', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 10 } });
    const errorOf = async (j: Job, make: (j: Job) => import('rxjs').Observable<unknown>): Promise<unknown> => {
      await j.prepare();
      let error: unknown;
      make(j).subscribe({ error: (e: unknown) => (error = e) });
      return error;
    };
    const noSourceUid = await errorOf(job(), (j) => fromCollection([1], { job: j }));
    expect(noSourceUid).toBeInstanceOf(CheckpointError);
    expect((noSourceUid as Error).message).toMatch(/fromCollection: job "uids" checkpoints, so its sources need a uid .*uid: 'items'/);
    const noUid = await errorOf(job(), (j) => fromCollection([{ k: 'a', v: 1, t: 0 }], { job: j, uid: 's' }).pipe(keyBy((e) => e.k), keyedProcess(summer())));
    expect((noUid as Error).message).toMatch(/keyedProcess: job "uids" checkpoints, so this stateful operator needs a uid/);
    const twice = await errorOf(job(), (j) =>
      fromCollection([{ k: 'a', v: 1, t: 0 }], { job: j, uid: 's' }).pipe(keyBy((e) => e.k), keyedProcess(summer(), { uid: 'x' }), keyBy(() => 'k'), keyedProcess<string, string, string>({ processElement: (v, _ctx, out) => out.collect(v) }, { uid: 'x' })),
    );
    expect((twice as Error).message).toMatch(/two stateful operators have the uid "x"/);
  });

  it('fails the job when checkpoints fail past tolerableFailures', async () => {
    const scheduler = new VirtualTimeScheduler();
    const storage = new MemoryCheckpointStorage();
    const broken = Object.assign(Object.create(storage) as MemoryCheckpointStorage, {
      writeState: () => Promise.reject(new Error('disk on fire')),
    });
    const job = new Job({ name: 'fails', scheduler, checkpoints: { interval: 10, storage: broken } });
    await job.prepare();
    let error: unknown;
    const events: Ev[] = Array.from({ length: 10 }, (_, i) => ({ k: 'a', v: 1, t: i }));
    pipeline(job, events, 3).subscribe({ error: (e: unknown) => (error = e) });
    await job.coordinator!.trigger().catch(() => {});
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/1 checkpoint\(s\) failed in a row, more than checkpoints.tolerableFailures \(0\); the last: .*disk on fire/);
  });
});
