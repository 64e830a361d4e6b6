import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkFanOut, checkOffset, checkPositive, type TimeWindow } from '../windows/time-window';
import { SlidingWindowCache } from './time-assigner-internals';
import type { WindowAssigner, WindowAssignerContext } from './window-assigner';

/**
 * Sliding processing-time windows: like {@link SlidingEventTimeWindows}, by the scheduler's clock.
 *
 * ```text
 * SlidingProcessingTimeWindows.of(10, 5):  a at frame 7 → [5,15) and [0,10); [0,10) fires at frame 9
 * ```
 *
 * @example
 * ```ts
 * window(SlidingProcessingTimeWindows.of(10_000, 1_000), { aggregate: windowCount() })
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer, `|offset| >= slide` (or not an integer), or `size > 10_000 × slide` (MAX_SLIDING_WINDOWS_PER_ELEMENT windows per element).
 * @see Flink's `SlidingProcessingTimeWindows`
 */
export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly name = 'SlidingProcessingTimeWindows';
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    this.cache = new SlidingWindowCache(size, slide, offset);
  }
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    checkPositive('SlidingProcessingTimeWindows.of', 'size', size);
    checkPositive('SlidingProcessingTimeWindows.of', 'slide', slide);
    checkOffset('SlidingProcessingTimeWindows.of', offset, slide, 'slide');
    checkFanOut('SlidingProcessingTimeWindows.of', size, slide);
    return new SlidingProcessingTimeWindows(size, slide, offset);
  }
  private readonly cache: SlidingWindowCache;
  assignWindows(_e: unknown, _ts: number | undefined, ctx: WindowAssignerContext): readonly TimeWindow[] {
    return this.cache.windowsOf(ctx.currentProcessingTime());
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
