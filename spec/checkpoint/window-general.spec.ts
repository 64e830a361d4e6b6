/**
 * The general window operator in a checkpointed job: window contents (buffered or aggregated), the
 * trigger's partitioned state, event- and processing-time timers (with their order), allowed lateness
 * and cleanup timers, evictors, merged session windows and a process function's state all survive a
 * restore, so the cut run's output followed by the restored run's equals an uninterrupted run's.
 */
import {
  countWindow,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  PurgingTrigger,
  sessionEventWindow,
  sessionProcessingWindow,
  slidingProcessingWindow,
  TimeEvictor,
  TriggerResult,
  tumblingProcessingWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  window,
  windowAll,
  windowSum,
  type ProcessWindowFunction,
  type TimeWindow,
  type Trigger,
  type TriggerStateDescriptor,
  type Window,
} from '../../lib/index';
import { checkRestore, events, lateAfterCut, restoredEqualsUninterrupted, type Ev } from './window-checkpoint-helpers';

const late = new OutputTag<Ev>('late');

/** Lists a window's values, with how often this key's windows fired (global state). */
const listing: ProcessWindowFunction<Ev, string, unknown, Window> = (key, ctx, input, out) => {
  const fired = ctx.globalState().getState(new ValueStateDescriptor<number>('fired', 0));
  fired.update(fired.value()! + 1);
  out.collect(`${String(key)} ${ctx.window.toString()} #${fired.value()}: ${input.map((e) => e.v).join(',')}`);
};

const SUM: TriggerStateDescriptor<number> = { name: 'sum', merge: (a, b) => a + b };
const EARLY: TriggerStateDescriptor<number> = { name: 'early' };

/**
 * A trigger with its own state: fires whenever the window's running sum passes 10 (then counts again),
 * early, 2 ms of event time after an element (one early timer at a time), and at the window's end.
 */
const sumTrigger: Trigger<Ev, TimeWindow> = {
  name: 'sumTrigger',
  onElement(e, ts, w, ctx) {
    const sum = ctx.getPartitionedState(SUM);
    const n = (sum.get() ?? 0) + e.v;
    ctx.registerEventTimeTimer(w.maxTimestamp());
    const early = ctx.getPartitionedState(EARLY);
    if (early.get() === undefined && ts! + 2 < w.maxTimestamp()) {
      early.set(ts! + 2);
      ctx.registerEventTimeTimer(ts! + 2);
    }
    if (n >= 10) {
      sum.set(n - 10);
      return TriggerResult.FIRE;
    }
    sum.set(n);
    return TriggerResult.CONTINUE;
  },
  onEventTime(t, w, ctx) {
    if (t === w.maxTimestamp()) return TriggerResult.FIRE;
    const early = ctx.getPartitionedState(EARLY);
    if (early.get() === t) {
      early.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  },
  onProcessingTime: () => TriggerResult.CONTINUE,
  canMerge: () => true,
  onMerge(w, ctx) {
    ctx.mergePartitionedState(SUM);
    ctx.registerEventTimeTimer(w.maxTimestamp());
  },
  clear(w, ctx) {
    ctx.getPartitionedState(SUM).clear();
    const early = ctx.getPartitionedState(EARLY);
    if (early.get() !== undefined) ctx.deleteEventTimeTimer(early.get()!);
    early.clear();
    ctx.deleteEventTimeTimer(w.maxTimestamp());
  },
};

describe('the general window operator in a checkpointed job', () => {
  it('tumbling event-time windows with a custom trigger keeping state and timers, buffered contents, lateness and a late output (property)', async () => {
    await restoredEqualsUninterrupted({
      windowing: () => window(TumblingEventTimeWindows.of(10), { trigger: sumTrigger, process: listing, allowedLateness: 5, lateOutput: late, uid: 'custom' }),
    });
  });

  it('keeps the watermark: an element late at the checkpoint is late after the restore', async () => {
    const out = await checkRestore({ windowing: () => window(TumblingEventTimeWindows.of(10), { trigger: sumTrigger, process: listing, lateOutput: late, uid: 'custom' }) }, lateAfterCut, [2]);
    expect(out).toContain(JSON.stringify(['late', { k: 1, v: 4, t: 1 }, 1]));
  });

  it('event-time sessions that merge: buffered contents, lateness (property)', async () => {
    await restoredEqualsUninterrupted({ windowing: () => sessionEventWindow(4, { process: listing, allowedLateness: 3, lateOutput: late, uid: 'sessions' }) });
  });

  it('event-time sessions with a custom trigger whose state merges (property)', async () => {
    await restoredEqualsUninterrupted({ windowing: () => window(EventTimeSessionWindows.withGap(3), { trigger: sumTrigger, aggregate: windowSum<Ev>('v'), uid: 'merging-trigger' }) });
  });

  it('sliding count windows (count trigger and count evictor) and tumbling count windows (property)', async () => {
    await restoredEqualsUninterrupted({ windowing: () => countWindow(3, 2, { uid: 'sliding-counts' }) }, events({ maxKey: 2 }));
    await restoredEqualsUninterrupted({ windowing: () => countWindow(4, undefined, { aggregate: windowSum<Ev>('v'), uid: 'counts' }) }, events({ maxKey: 2 }));
  });

  it('global windows with a count trigger and a time evictor (property)', async () => {
    await restoredEqualsUninterrupted({ windowing: () => window(GlobalWindows.create(), { trigger: CountTrigger.of(3), evictor: TimeEvictor.of(6), process: listing, uid: 'global' }) });
  });

  it('processing-time tumbling, sliding and session windows (virtual processing time) (property)', async () => {
    await restoredEqualsUninterrupted({ processingTime: true, windowing: () => tumblingProcessingWindow(10, { process: listing, uid: 'pt-tumbling' }) });
    await restoredEqualsUninterrupted({ processingTime: true, windowing: () => slidingProcessingWindow(20, 10, { aggregate: windowSum<Ev>('v'), uid: 'pt-sliding' }) });
    await restoredEqualsUninterrupted({ processingTime: true, windowing: () => sessionProcessingWindow(6, { process: listing, uid: 'pt-sessions' }) });
  });

  it('windowAll on the general operator (operator state): purging count trigger, and processing-time windows (property)', async () => {
    await restoredEqualsUninterrupted({ keyed: false, windowing: () => windowAll(GlobalWindows.create(), { trigger: PurgingTrigger.of(CountTrigger.of(3)), process: listing, uid: 'all-counts' }) });
    await restoredEqualsUninterrupted({
      keyed: false,
      windowing: () => windowAll(TumblingEventTimeWindows.of(10), { trigger: sumTrigger, allowedLateness: 4, lateOutput: late, uid: 'all-custom' }),
    });
    await restoredEqualsUninterrupted({ keyed: false, processingTime: true, windowing: () => windowAll(TumblingProcessingTimeWindows.of(10), { process: listing, uid: 'all-pt' }) });
  });
});
