import { InvalidArgumentError, StateError } from '../core/errors';
import { MIN_WATERMARK, type Timestamp } from '../core/types';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult, TriggerState, TriggerStateDescriptor } from '../windowing/triggers/trigger';
import type { Window } from '../windowing/windows/window';

/** One timer that fired in a {@link TriggerHarness}: the window and what the trigger answered. */
export interface TriggerFiring<W extends Window> {
  readonly window: W;
  readonly time: Timestamp;
  readonly result: TriggerResult;
}

interface HarnessTimer<W extends Window> {
  readonly time: Timestamp;
  readonly window: W;
  readonly seq: number;
}

const ORIGIN = { operator: 'TriggerHarness' };

/**
 * Tests a {@link Trigger} on its own: hands it elements for a window, advances the watermark and
 * processing time, and returns what it answered, with its timers and state counted per window. One key,
 * as Flink's: other tests cover keys.
 *
 * It's like Flink's `TriggerTestHarness`.
 *
 * ```text
 * trigger: EventTimeTrigger, window [0, 10)
 * processElement(a, 2, w)   → CONTINUE   (timer at 9)
 * advanceWatermark(9)       → [{ window: w, time: 9, result: FIRE }]
 * ```
 *
 * @example
 * ```ts
 * const harness = new TriggerHarness(CountTrigger.of<TimeWindow>(2));
 * const w = new TimeWindow(0, 10);
 * harness.processElement('a', 1, w); // 'CONTINUE'
 * harness.processElement('b', 2, w); // 'FIRE'
 * harness.numStateEntries(w);        // 1: the count
 * ```
 * @typeParam T the elements the trigger sees.
 * @typeParam W the window type.
 * @see OperatorHarness, Flink's `TriggerTestHarness`
 */
export class TriggerHarness<T, W extends Window> {
  private watermark: Timestamp = MIN_WATERMARK;
  private processingTime: Timestamp;
  private readonly eventTimers = new Map<string, HarnessTimer<W>>();
  private readonly processingTimers = new Map<string, HarnessTimer<W>>();
  private readonly state = new Map<string, Map<string, unknown>>();
  private seq = 0;

  constructor(
    private readonly trigger: Trigger<T, W>,
    options?: { processingTime?: Timestamp },
  ) {
    if (trigger === null || typeof trigger !== 'object' || typeof trigger.onElement !== 'function') {
      throw new InvalidArgumentError(ORIGIN, 'trigger', trigger, 'must be a Trigger (onElement, onEventTime, onProcessingTime, clear)');
    }
    this.processingTime = options?.processingTime ?? 0;
  }

  /** The watermark the trigger sees. */
  currentWatermark(): Timestamp {
    return this.watermark;
  }

  /** The processing time the trigger sees. */
  currentProcessingTime(): Timestamp {
    return this.processingTime;
  }

  /** Calls `onElement` for `value` (with event time `timestamp`) in `window`, and returns its answer. */
  processElement(value: T, timestamp: Timestamp | undefined, window: W): TriggerResult {
    return this.trigger.onElement(value, timestamp, window, this.context(window));
  }

  /** Advances the watermark to `time` and fires every event-time timer up to it, in time order. */
  advanceWatermark(time: Timestamp): Array<TriggerFiring<W>>;
  /** Advances the watermark; exactly one timer must fire, for `window`; returns its answer. */
  advanceWatermark(time: Timestamp, window: W): TriggerResult;
  advanceWatermark(time: Timestamp, window?: W): Array<TriggerFiring<W>> | TriggerResult {
    if (time > this.watermark) this.watermark = time;
    const firings = this.fire(this.eventTimers, time, (t, w, ctx) => this.trigger.onEventTime(t, w, ctx));
    return window === undefined ? firings : only(firings, window, 'advanceWatermark');
  }

  /** Sets processing time to `time` and fires every processing-time timer up to it, in time order. */
  advanceProcessingTime(time: Timestamp): Array<TriggerFiring<W>>;
  /** Sets processing time; exactly one timer must fire, for `window`; returns its answer. */
  advanceProcessingTime(time: Timestamp, window: W): TriggerResult;
  advanceProcessingTime(time: Timestamp, window?: W): Array<TriggerFiring<W>> | TriggerResult {
    if (time < this.processingTime) {
      throw new InvalidArgumentError(ORIGIN, 'advanceProcessingTime(time)', time, `must be >= the current processing time ${this.processingTime}`);
    }
    this.processingTime = time;
    const firings = this.fire(this.processingTimers, time, (t, w, ctx) => this.trigger.onProcessingTime(t, w, ctx));
    return window === undefined ? firings : only(firings, window, 'advanceProcessingTime');
  }

  /** Calls `onEventTime(time, window)` directly, without a timer. */
  invokeOnEventTime(time: Timestamp, window: W): TriggerResult {
    return this.trigger.onEventTime(time, window, this.context(window));
  }

  /** Calls `onProcessingTime(time, window)` directly, without a timer. */
  invokeOnProcessingTime(time: Timestamp, window: W): TriggerResult {
    return this.trigger.onProcessingTime(time, window, this.context(window));
  }

  /**
   * Merges `merged` into `target` as a merging window operator does: `onMerge(target)` (whose context
   * merges the merged windows' state into the target's), then `clear` on each merged window.
   * @throws StateError when the trigger cannot merge.
   */
  mergeWindows(target: W, merged: readonly W[]): void {
    if (this.trigger.canMerge?.() !== true || this.trigger.onMerge === undefined) {
      throw new StateError(ORIGIN, `${this.trigger.name ?? 'the trigger'} does not support merging windows (canMerge() is not true)`);
    }
    const ctx: OnMergeContext = {
      ...this.context(target),
      mergePartitionedState: <S>(d: TriggerStateDescriptor<S>) => {
        let acc = this.state.get(target.id())?.get(d.name) as S | undefined;
        for (const m of merged) {
          const v = this.state.get(m.id())?.get(d.name) as S | undefined;
          if (v === undefined) continue;
          acc = acc === undefined ? v : d.merge !== undefined ? d.merge(acc, v) : v;
        }
        if (acc !== undefined) this.stateOf(target).set(d.name, acc);
      },
    };
    this.trigger.onMerge(target, ctx);
    for (const m of merged) this.clearTriggerState(m);
  }

  /** Calls `clear(window)`, as the window operator does when it removes the window. */
  clearTriggerState(window: W): void {
    this.trigger.clear(window, this.context(window));
  }

  /** Trigger state entries held (that are set), for `window` or in all. */
  numStateEntries(window?: W): number {
    let n = 0;
    for (const [id, values] of this.state) {
      if (window !== undefined && id !== window.id()) continue;
      for (const v of values.values()) if (v !== undefined) n++;
    }
    return n;
  }

  /** Event-time timers registered, for `window` or in all. */
  numEventTimeTimers(window?: W): number {
    return count(this.eventTimers, window);
  }

  /** Processing-time timers registered, for `window` or in all. */
  numProcessingTimeTimers(window?: W): number {
    return count(this.processingTimers, window);
  }

  private stateOf(window: W): Map<string, unknown> {
    let s = this.state.get(window.id());
    if (s === undefined) this.state.set(window.id(), (s = new Map()));
    return s;
  }

  private context(window: W): TriggerContext {
    const add = (timers: Map<string, HarnessTimer<W>>, time: Timestamp): void => {
      const id = `${time}|${window.id()}`;
      if (!timers.has(id)) timers.set(id, { time, window, seq: this.seq++ });
    };
    return {
      currentProcessingTime: () => this.processingTime,
      currentWatermark: () => this.watermark,
      registerEventTimeTimer: (t) => add(this.eventTimers, t),
      registerProcessingTimeTimer: (t) => add(this.processingTimers, t),
      deleteEventTimeTimer: (t) => void this.eventTimers.delete(`${t}|${window.id()}`),
      deleteProcessingTimeTimer: (t) => void this.processingTimers.delete(`${t}|${window.id()}`),
      getPartitionedState: <S>(d: TriggerStateDescriptor<S>): TriggerState<S> => ({
        get: () => this.state.get(window.id())?.get(d.name) as S | undefined,
        set: (v: S) => void this.stateOf(window).set(d.name, v),
        clear: () => void this.state.get(window.id())?.delete(d.name),
      }),
    };
  }

  private fire(
    timers: Map<string, HarnessTimer<W>>,
    upTo: Timestamp,
    call: (time: Timestamp, window: W, ctx: TriggerContext) => TriggerResult,
  ): Array<TriggerFiring<W>> {
    const firings: Array<TriggerFiring<W>> = [];
    for (;;) {
      let next: [string, HarnessTimer<W>] | undefined;
      for (const e of timers) {
        if (e[1].time <= upTo && (next === undefined || e[1].time < next[1].time || (e[1].time === next[1].time && e[1].seq < next[1].seq))) next = e;
      }
      if (next === undefined) return firings;
      timers.delete(next[0]);
      const { time, window } = next[1];
      firings.push({ window, time, result: call(time, window, this.context(window)) });
    }
  }
}

function count<W extends Window>(timers: Map<string, HarnessTimer<W>>, window: W | undefined): number {
  if (window === undefined) return timers.size;
  let n = 0;
  for (const t of timers.values()) if (t.window.id() === window.id()) n++;
  return n;
}

function only<W extends Window>(firings: Array<TriggerFiring<W>>, window: W, call: string): TriggerResult {
  if (firings.length !== 1 || firings[0]!.window.id() !== window.id()) {
    const fired = firings.map((f) => `${String(f.window)}@${f.time}: ${f.result}`).join(', ') || 'none';
    throw new StateError(ORIGIN, `${call}: exactly one timer must fire, for ${String(window)}; fired: ${fired}`);
  }
  return firings[0]!.result;
}
