/**
 * TriggerHarness: a trigger tested on its own, with its timers and state counted per window (Flink's
 * TriggerTestHarness), on tidemark's built-in triggers.
 */
import {
  ContinuousEventTimeTrigger,
  CountTrigger,
  EndOfStreamTrigger,
  EventTimeTrigger,
  GlobalWindow,
  InvalidArgumentError,
  MAX_WATERMARK,
  ProcessingTimeTrigger,
  StateError,
  TimeWindow,
  TriggerResult,
  type Trigger,
} from '../../lib/index';
import { TriggerHarness } from '../../lib/testing/index';

const w1 = new TimeWindow(0, 10);
const w2 = new TimeWindow(10, 20);

describe('TriggerHarness', () => {
  it('EventTimeTrigger: a timer at the window end that the watermark fires; late elements fire at once; clear removes the timer', () => {
    const h = new TriggerHarness(EventTimeTrigger.create());
    expect(h.processElement('a', 2, w1)).toBe(TriggerResult.CONTINUE);
    expect(h.processElement('b', 12, w2)).toBe(TriggerResult.CONTINUE);
    expect(h.numEventTimeTimers()).toBe(2);
    expect(h.numEventTimeTimers(w1)).toBe(1);
    expect(h.advanceWatermark(8)).toEqual([]);
    expect(h.advanceWatermark(9, w1)).toBe(TriggerResult.FIRE);
    expect(h.numEventTimeTimers(w1)).toBe(0);
    expect(h.processElement('late', 3, w1)).toBe(TriggerResult.FIRE);
    h.clearTriggerState(w2);
    expect(h.numEventTimeTimers()).toBe(0);
    expect(h.advanceWatermark(100)).toEqual([]);
  });

  it('fires timers across windows in time order, and says so when advance(time, window) sees another count', () => {
    const h = new TriggerHarness(ContinuousEventTimeTrigger.of<TimeWindow>(4));
    h.processElement('a', 1, w1);
    h.processElement('b', 11, w2);
    const firings = h.advanceWatermark(20);
    const times = firings.map((f) => f.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const fired = firings.map((f) => `${f.window.start}@${f.time}:${f.result}`);
    expect(fired).toContain('0@9:FIRE');
    expect(fired).toContain('10@19:FIRE');
    const h2 = new TriggerHarness(EventTimeTrigger.create());
    h2.processElement('a', 1, w1);
    h2.processElement('b', 11, w2);
    expect(() => h2.advanceWatermark(30, w1)).toThrow(/advanceWatermark: exactly one timer must fire, for TimeWindow/);
  });

  it('CountTrigger: keeps its count as window state, and merges it into the target window', () => {
    const h = new TriggerHarness(CountTrigger.of<TimeWindow>(3));
    expect(h.processElement('a', 1, w1)).toBe(TriggerResult.CONTINUE);
    expect(h.processElement('b', 12, w2)).toBe(TriggerResult.CONTINUE);
    expect(h.numStateEntries()).toBe(2);
    const merged = new TimeWindow(0, 20);
    h.mergeWindows(merged, [w1, w2]);
    expect(h.numStateEntries(w1)).toBe(0);
    expect(h.numStateEntries(w2)).toBe(0);
    expect(h.numStateEntries(merged)).toBe(1);
    // the merged count is 2: the next element is the third
    expect(h.processElement('c', 5, merged)).toBe(TriggerResult.FIRE);
  });

  it('ProcessingTimeTrigger: fires when processing time reaches the window end', () => {
    const h = new TriggerHarness(ProcessingTimeTrigger.create(), { processingTime: 3 });
    expect(h.processElement('a', undefined, w1)).toBe(TriggerResult.CONTINUE);
    expect(h.numProcessingTimeTimers(w1)).toBe(1);
    expect(h.advanceProcessingTime(8)).toEqual([]);
    expect(h.advanceProcessingTime(9, w1)).toBe(TriggerResult.FIRE);
    expect(h.currentProcessingTime()).toBe(9);
    expect(() => h.advanceProcessingTime(5)).toThrow(InvalidArgumentError);
  });

  it('EndOfStreamTrigger: only the end-of-input watermark fires the global window', () => {
    const h = new TriggerHarness(EndOfStreamTrigger.create());
    expect(h.processElement('a', 5, GlobalWindow.INSTANCE)).toBe(TriggerResult.CONTINUE);
    expect(h.processElement('b', 6, GlobalWindow.INSTANCE)).toBe(TriggerResult.CONTINUE);
    expect(h.numEventTimeTimers()).toBe(1);
    expect(h.advanceWatermark(1e15)).toEqual([]);
    expect(h.advanceWatermark(MAX_WATERMARK, GlobalWindow.INSTANCE)).toBe(TriggerResult.FIRE);
    expect(h.invokeOnEventTime(1e15, GlobalWindow.INSTANCE)).toBe(TriggerResult.CONTINUE);
  });

  it('refuses to merge with a trigger that cannot, and a non-trigger', () => {
    const noMerge: Trigger<unknown, TimeWindow> = {
      onElement: () => TriggerResult.CONTINUE,
      onEventTime: () => TriggerResult.CONTINUE,
      onProcessingTime: () => TriggerResult.CONTINUE,
      clear: () => {},
      name: 'NoMerge',
    };
    expect(() => new TriggerHarness(noMerge).mergeWindows(w1, [w2])).toThrow(/NoMerge does not support merging windows/);
    expect(() => new TriggerHarness({} as never)).toThrow(/trigger must be a Trigger/);
  });
});
