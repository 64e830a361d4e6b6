import type { Timestamp } from '../../core/types';
import { EventTimeTrigger } from '../triggers/event-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkFanOut, checkOffset, checkPositive, type TimeWindow } from '../windows/time-window';
import { requireTimestamp, SlidingWindowCache } from './time-assigner-internals';
import type { WindowAssigner } from './window-assigner';

/**
 * Sliding event-time windows: windows of `size`, one starting every `slide`; an element belongs to
 * `ceil(size / slide)` of them (fewer when `slide > size`, which leaves gaps).
 *
 * ```text
 * SlidingEventTimeWindows.of(10, 5):  a(7) → [5,15) and [0,10)
 * ```
 *
 * @example
 * ```ts
 * window(SlidingEventTimeWindows.of(10_000, 5_000), { aggregate: windowCount() })
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer, `|offset| >= slide` (or not an integer), or `size > 10_000 × slide` (MAX_SLIDING_WINDOWS_PER_ELEMENT windows per element).
 * @see Flink's `SlidingEventTimeWindows`
 */
export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly name = 'SlidingEventTimeWindows';
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    this.cache = new SlidingWindowCache(size, slide, offset);
  }
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    checkPositive('SlidingEventTimeWindows.of', 'size', size);
    checkPositive('SlidingEventTimeWindows.of', 'slide', slide);
    checkOffset('SlidingEventTimeWindows.of', offset, slide, 'slide');
    checkFanOut('SlidingEventTimeWindows.of', size, slide);
    return new SlidingEventTimeWindows(size, slide, offset);
  }
  private readonly cache: SlidingWindowCache;
  assignWindows(element: unknown, timestamp: Timestamp | undefined): readonly TimeWindow[] {
    return this.cache.windowsOf(requireTimestamp(this.name, timestamp, element));
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}
