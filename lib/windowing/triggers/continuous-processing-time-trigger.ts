import type { Timestamp } from '../../core/types';
import { checkPositive, TimeWindow } from '../windows/time-window';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult, type TriggerStateDescriptor } from './trigger';

const FIRE_AT: TriggerStateDescriptor<number> = { name: 'continuous-processing-fire', merge: (a, b) => Math.min(a, b) };

/**
 * Fires a window every `interval` ms of processing time (aligned to the interval), starting from the
 * first element.
 *
 * ```text
 * globalWindow({ trigger: ContinuousProcessingTimeTrigger.of(10) }): elements at frames 1, 3, 12
 * → fires at frame 10 ([a,b]) and 20 ([a,b,c])
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: ContinuousProcessingTimeTrigger.of(1000) }) // a running result every second
 * ```
 * @throws InvalidArgumentError when `interval` is not a positive integer.
 * @see Flink's `ContinuousProcessingTimeTrigger`
 */
export class ContinuousProcessingTimeTrigger<W extends Window = Window> implements Trigger<unknown, W> {
  readonly name: string;
  private constructor(readonly interval: number) {
    this.name = `ContinuousProcessingTimeTrigger(${interval})`;
  }
  static of<W extends Window = Window>(interval: number): ContinuousProcessingTimeTrigger<W> {
    checkPositive('ContinuousProcessingTimeTrigger.of', 'interval', interval);
    return new ContinuousProcessingTimeTrigger<W>(interval);
  }
  onElement(_e: unknown, _ts: Timestamp | undefined, w: W, ctx: TriggerContext): TriggerResult {
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    if (fireAt.get() === undefined) {
      const now = ctx.currentProcessingTime();
      const start = TimeWindow.startOf(now, 0, this.interval);
      this.registerNext(start + this.interval, w, ctx);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(time: Timestamp, w: W, ctx: TriggerContext): TriggerResult {
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    if (fireAt.get() === time) {
      fireAt.clear();
      this.registerNext(time + this.interval, w, ctx);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_w: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_AT);
    const next = ctx.getPartitionedState(FIRE_AT).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }
  clear(_w: W, ctx: TriggerContext): void {
    const fireAt = ctx.getPartitionedState(FIRE_AT);
    const t = fireAt.get();
    if (t !== undefined) ctx.deleteProcessingTimeTimer(t);
    fireAt.clear();
  }
  private registerNext(time: Timestamp, w: W, ctx: TriggerContext): void {
    const next = Math.min(time, w.maxTimestamp());
    ctx.getPartitionedState(FIRE_AT).set(next);
    ctx.registerProcessingTimeTimer(next);
  }
}
