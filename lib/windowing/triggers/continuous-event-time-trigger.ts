import type { Timestamp } from '../../core/types';
import { checkPositive, TimeWindow } from '../windows/time-window';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult, type TriggerStateDescriptor } from './trigger';

const FIRE_AT: TriggerStateDescriptor<number> = { name: 'continuous-event-fire', merge: (a, b) => Math.min(a, b) };

/**
 * Fires a window every `interval` ms of event time (at watermarks `k·interval − 1`... aligned to the
 * interval) and once more at the window's end.
 *
 * ```text
 * window [0, 100), ContinuousEventTimeTrigger.of(30): fires at watermarks 30, 60, 90 and 99
 * ```
 *
 * @example
 * ```ts
 * tumblingEventWindow(3_600_000, { trigger: ContinuousEventTimeTrigger.of(60_000) }) // an hourly window, updated every minute
 * ```
 * @throws InvalidArgumentError when `interval` is not a positive integer.
 * @see Flink's `ContinuousEventTimeTrigger`
 */
export class ContinuousEventTimeTrigger<W extends Window = Window> implements Trigger<unknown, W> {
  readonly name: string;
  private constructor(readonly interval: number) {
    this.name = `ContinuousEventTimeTrigger(${interval})`;
  }
  static of<W extends Window = Window>(interval: number): ContinuousEventTimeTrigger<W> {
    checkPositive('ContinuousEventTimeTrigger.of', 'interval', interval);
    return new ContinuousEventTimeTrigger<W>(interval);
  }
  onElement(_e: unknown, ts: Timestamp | undefined, w: W, ctx: TriggerContext): TriggerResult {
    if (w.maxTimestamp() <= ctx.currentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(w.maxTimestamp());
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    if (fireAt.get() === undefined && ts !== undefined) {
      const start = TimeWindow.startOf(ts, 0, this.interval);
      this.registerNext(start + this.interval, w, ctx);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: Timestamp, w: W, ctx: TriggerContext): TriggerResult {
    if (time === w.maxTimestamp()) return TriggerResult.FIRE;
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    if (fireAt.get() === time) {
      fireAt.clear();
      this.registerNext(time + this.interval, w, ctx);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(w: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_AT);
    const next = ctx.getPartitionedState(FIRE_AT).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
    if (w.maxTimestamp() > ctx.currentWatermark()) ctx.registerEventTimeTimer(w.maxTimestamp());
  }
  clear(w: W, ctx: TriggerContext): void {
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    const t = fireAt.get();
    if (t !== undefined) ctx.deleteEventTimeTimer(t);
    fireAt.clear();
    ctx.deleteEventTimeTimer(w.maxTimestamp());
  }
  private registerNext(time: Timestamp, w: W, ctx: TriggerContext): void {
    const next = Math.min(time, w.maxTimestamp());
    ctx.getPartitionedState(FIRE_AT).set(next);
    ctx.registerEventTimeTimer(next);
  }
}
