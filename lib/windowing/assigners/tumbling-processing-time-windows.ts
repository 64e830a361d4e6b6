import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkOffset, checkPositive, type TimeWindow } from '../windows/time-window';
import { tumblingWindow } from './time-assigner-internals';
import type { WindowAssigner, WindowAssignerContext } from './window-assigner';

/**
 * Tumbling processing-time windows: like {@link TumblingEventTimeWindows}, but by the operator's
 * scheduler clock when the element arrives (virtual under `TestScheduler`).
 *
 * ```text
 * TumblingProcessingTimeWindows.of(10):  a at frame 3, b at 12 → [0,10) fires at frame 9, [10,20) at 19
 * ```
 *
 * @example
 * ```ts
 * window(TumblingProcessingTimeWindows.of(1000), { aggregate: windowCount() })
 * ```
 * @throws InvalidArgumentError when `size` is not a positive integer, or `offset` is not an integer with `|offset| < size`.
 * @see Flink's `TumblingProcessingTimeWindows`
 */
export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly name = 'TumblingProcessingTimeWindows';
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {}
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    checkPositive('TumblingProcessingTimeWindows.of', 'size', size);
    checkOffset('TumblingProcessingTimeWindows.of', offset, size, 'size');
    return new TumblingProcessingTimeWindows(size, offset);
  }
  assignWindows(_e: unknown, _ts: number | undefined, ctx: WindowAssignerContext): TimeWindow[] {
    return [tumblingWindow(ctx.currentProcessingTime(), this.size, this.offset)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
