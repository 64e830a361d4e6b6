import type { Timestamp } from '../../core/types';
import { EventTimeTrigger } from '../triggers/event-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkOffset, checkPositive, type TimeWindow } from '../windows/time-window';
import { requireTimestamp, tumblingWindow } from './time-assigner-internals';
import type { WindowAssigner } from './window-assigner';

/**
 * Tumbling event-time windows: fixed-size, non-overlapping `[start, start + size)`, with
 * `start = t - floorMod(t - offset, size)`.
 *
 * ```text
 * TumblingEventTimeWindows.of(10):  a(3) b(12) c(-8) → [0,10), [10,20), [-10,0)
 * ```
 *
 * @example
 * ```ts
 * window(TumblingEventTimeWindows.of(60_000), { aggregate: windowCount() })
 * TumblingEventTimeWindows.of(86_400_000, -8 * 3_600_000) // days in UTC+8
 * ```
 * @throws InvalidArgumentError when `size` is not a positive integer, or `offset` is not an integer with `|offset| < size`.
 * @see Flink's `TumblingEventTimeWindows`
 */
export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly name = 'TumblingEventTimeWindows';
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {}
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    checkPositive('TumblingEventTimeWindows.of', 'size', size);
    checkOffset('TumblingEventTimeWindows.of', offset, size, 'size');
    return new TumblingEventTimeWindows(size, offset);
  }
  /** The last window handed out, reused while elements keep falling into it (windows are immutable). */
  private last: TimeWindow[] = [];
  assignWindows(element: unknown, timestamp: Timestamp | undefined): readonly TimeWindow[] {
    const t = requireTimestamp(this.name, timestamp, element);
    const w = this.last[0];
    if (w !== undefined && t >= w.start && t < w.end) return this.last;
    return (this.last = [tumblingWindow(t, this.size, this.offset)]);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}
