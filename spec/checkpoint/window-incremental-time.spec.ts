/**
 * The specialised incremental tumbling/sliding event-time window operator in a checkpointed job: it
 * registers by uid, acknowledges barriers with one keyed part per key (its accumulator in each window,
 * and the order in which it entered each), writes only the keys changed since the previous checkpoint
 * when the barrier is not full, and a restored job continues as if never stopped: same results, same
 * order, same late elements (the watermark is part of the state).
 */
import { VirtualTimeScheduler } from 'rxjs';
import {
  CheckpointError,
  fromCollection,
  Job,
  keyBy,
  MemoryCheckpointStorage,
  OutputTag,
  slidingEventWindow,
  sum,
  tumblingEventWindow,
  windowAll,
  windowCount,
  windowSum,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  type ProcessWindowFunction,
} from '../../lib/index';
import { checkRestore, events, lateAfterCut, restoredEqualsUninterrupted, runWithCheckpoints, type Ev, type Scenario } from './window-checkpoint-helpers';

const late = new OutputTag<Ev>('late');

/** Counts per key and window how often it fired (per-window state) and how many windows the key had (global state). */
const counting: ProcessWindowFunction<Ev, string, number, import('../../lib/index').TimeWindow> = (key, ctx, input, out) => {
  const fired = ctx.windowState().getState(new ValueStateDescriptor<number>('fired', 0));
  fired.update(fired.value()! + 1);
  const seen = ctx.globalState().getState(new ValueStateDescriptor<number>('seen', 0));
  seen.update(seen.value()! + 1);
  out.collect(`${key}@${ctx.window.start}:${JSON.stringify(input)} fired ${fired.value()} seen ${seen.value()}`);
};

describe('incremental event-time windows in a checkpointed job', () => {
  it('tumbling windows with allowed lateness and a late output, restored at random barriers, continue as an uninterrupted run (property)', async () => {
    const s: Scenario = { windowing: () => tumblingEventWindow(10, { aggregate: windowSum<Ev>('v'), allowedLateness: 6, lateOutput: late, uid: 'tumbling' }) };
    await restoredEqualsUninterrupted(s);
  });

  it('sliding windows with reduce and a process function keeping window and global state (property)', async () => {
    const s: Scenario = {
      windowing: () => slidingEventWindow(12, 4, { reduce: (a: Ev, b: Ev) => ({ ...a, v: a.v + b.v }), process: counting, allowedLateness: 3, uid: 'sliding' }),
    };
    await restoredEqualsUninterrupted(s);
  });

  it('windowAll (operator state, no key) with allowed lateness (property)', async () => {
    const s: Scenario = { keyed: false, windowing: () => windowAll(TumblingEventTimeWindows.of(8), { aggregate: windowCount(), allowedLateness: 4, lateOutput: late, uid: 'all' }) };
    await restoredEqualsUninterrupted(s);
  });

  it('keeps the watermark: an element late at the checkpoint is late after the restore', async () => {
    const out = await checkRestore({ windowing: () => tumblingEventWindow(10, { aggregate: windowCount(), lateOutput: late, uid: 'counts' }) }, lateAfterCut, [2]);
    expect(out).toContain(JSON.stringify(['late', { k: 1, v: 4, t: 1 }, 1]));
  });

  it('array keys keep their order of entry into a window across a restore', async () => {
    const s: Scenario = {
      windowing: () => (source) =>
        source.pipe(
          keyBy((e: Ev) => [e.k % 2, `k${e.k}`]),
          tumblingEventWindow(10, { aggregate: windowSum<Ev>('v'), windowed: true, uid: 'arrays' }),
        ),
    };
    await restoredEqualsUninterrupted(s, events({ maxKey: 6 }), 25);
  });

  it('writes only the keys changed since the previous checkpoint when the barrier is not full', async () => {
    const keys = 200;
    // every key in window [0, 1000), then 5 records of 3 keys
    const evs: Ev[] = Array.from({ length: keys }, (_, i) => ({ k: i, v: 1, t: 1 }));
    for (const k of [3, 3, 50, 199, 3]) evs.push({ k, v: 2, t: 2 });
    const s: Scenario = { windowing: () => tumblingEventWindow(1_000, { aggregate: windowCount(), uid: 'counts' }) };
    const { stats } = await runWithCheckpoints(s, evs, new MemoryCheckpointStorage(), 'incremental', [keys, evs.length]);
    // one entry per key, plus the source's offset and the window operator's kind and watermark
    expect(stats.map((st) => [st.full, st.entries])).toEqual([
      [true, keys + 3],
      [false, 3 + 3],
    ]);
  });

  it('refuses a missing uid and a duplicate uid at start, naming the operator', async () => {
    const errorOf = async (make: (job: Job) => import('rxjs').Observable<unknown>): Promise<unknown> => {
      const job = new Job({ name: 'uids', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 10 } });
      await job.prepare();
      let error: unknown;
      make(job).subscribe({ error: (e: unknown) => (error = e) });
      return error;
    };
    const source = (job: Job) => fromCollection([{ k: 1, v: 1, t: 0 }], { job, uid: 's' }).pipe(keyBy((e) => e.k));
    const noUid = await errorOf((job) => source(job).pipe(tumblingEventWindow(10, { aggregate: windowCount(), name: 'counts' })));
    expect(noUid).toBeInstanceOf(CheckpointError);
    expect((noUid as Error).message).toMatch(/^counts: job "uids" checkpoints, so this stateful operator needs a uid/);
    const twice = await errorOf((job) =>
      source(job).pipe(sum<Ev>('v', { uid: 'x' }), keyBy((e) => e.k), tumblingEventWindow(10, { aggregate: windowCount(), name: 'counts', uid: 'x' })),
    );
    expect(twice).toBeInstanceOf(CheckpointError);
    expect((twice as Error).message).toMatch(/^counts \(uid "x"\): .*two stateful operators have the uid "x"/);
  });

  it('refuses state written by another kind of operator under its uid', async () => {
    const storage = new MemoryCheckpointStorage();
    const evs: Ev[] = [
      { k: 1, v: 1, t: 0 },
      { k: 2, v: 1, t: 1 },
    ];
    const rolling: Scenario = { windowing: () => sum<Ev>('v', { uid: 'shared' }) };
    await runWithCheckpoints(rolling, evs, storage, 'kinds', [1]);
    const job = new Job({ name: 'kinds', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1_000_000, storage } });
    await job.prepare();
    let error: unknown;
    fromCollection(evs, { job, uid: 'events' })
      .pipe(keyBy((e) => e.k), tumblingEventWindow(10, { aggregate: windowCount(), uid: 'shared' }))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/uid "shared" was not written by a window operator/);
  });
});
