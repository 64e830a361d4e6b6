import { InvalidArgumentError } from '../../core/errors';
import type { Timestamp } from '../../core/types';
import type { Window } from './window';

/** The floored (mathematical) modulo: always in `[0, b)` for `b > 0`. */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r;
}

/**
 * A half-open time interval `[start, end)`; its elements have `start <= timestamp < end`, and it fires
 * when the watermark reaches `end - 1`.
 *
 * @example
 * ```ts
 * const w = new TimeWindow(0, 1000);
 * w.maxTimestamp() // 999
 * TimeWindow.startOf(-8, 0, 7) // -14: timestamp -8 lies in [-14, -7)
 * ```
 * @see Flink's `TimeWindow`
 */
export class TimeWindow implements Window {
  constructor(
    readonly start: Timestamp,
    readonly end: Timestamp,
  ) {}

  /** `end - 1`: the largest timestamp in the window. */
  maxTimestamp(): Timestamp {
    return this.end - 1;
  }
  id(): string {
    return `${this.start}:${this.end}`;
  }
  /** True when the two windows overlap or touch (used to merge sessions). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }
  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }
  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }
  toString(): string {
    return `TimeWindow[${this.start}, ${this.end})`;
  }

  /**
   * The start of the window of size `size` (shifted by `offset`) that holds `timestamp`:
   * `timestamp - floorMod(timestamp - offset, size)`, so negative timestamps land in the right window.
   */
  static startOf(timestamp: Timestamp, offset: number, size: number): Timestamp {
    return timestamp - floorMod(timestamp - offset, size);
  }
}

/**
 * True when two windows are the same window: equal bounds for time windows, else equal ids.
 * @example `sameWindow(new TimeWindow(0, 10), new TimeWindow(0, 10)) // true`
 */
export function sameWindow(a: Window, b: Window): boolean {
  if (a === b) return true;
  if (a instanceof TimeWindow && b instanceof TimeWindow) return a.start === b.start && a.end === b.end;
  return a.id() === b.id();
}

/**
 * Throws unless `ms` is a whole positive number of milliseconds up to `Number.MAX_SAFE_INTEGER` (a
 * window size, slide, gap or trigger interval).
 */
export function checkPositive(operator: string, option: string, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError({ operator }, option, ms, 'must be a positive integer number of milliseconds (at most Number.MAX_SAFE_INTEGER)');
  }
}

/** Throws unless `offset` is a whole number of milliseconds with `|offset| < bound`. */
export function checkOffset(operator: string, offset: unknown, bound: number, boundName: string): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) >= bound) {
    throw new InvalidArgumentError({ operator }, 'offset', offset, `must be an integer number of milliseconds with |offset| < ${boundName} (${bound})`);
  }
}

/**
 * The most windows a sliding assigner may give one element: `ceil(size / slide)`. Each element is added
 * to each of its windows, so the cost per element grows with the ratio; past this bound
 * `SlidingEventTimeWindows.of` and `SlidingProcessingTimeWindows.of` (and their sugar) refuse it.
 *
 * @example
 * ```ts
 * slidingEventWindow(86_400_000, 60_000);  // a day every minute: 1440 windows per element, fine
 * // slidingEventWindow(1e9, 1) throws InvalidArgumentError: size must be at most 10000 × slide (1) ...
 * MAX_SLIDING_WINDOWS_PER_ELEMENT; // 10_000
 * ```
 */
export const MAX_SLIDING_WINDOWS_PER_ELEMENT = 10_000;

/** Throws unless a sliding window's `ceil(size / slide)` is at most {@link MAX_SLIDING_WINDOWS_PER_ELEMENT}. */
export function checkFanOut(operator: string, size: number, slide: number): void {
  if (Math.ceil(size / slide) > MAX_SLIDING_WINDOWS_PER_ELEMENT) {
    throw new InvalidArgumentError(
      { operator },
      'size',
      size,
      `must be at most ${MAX_SLIDING_WINDOWS_PER_ELEMENT} × slide (${slide}): each element goes to ceil(size / slide) windows; ` +
        'use a larger slide, or aggregate per slide with a tumbling window first and combine those results',
    );
  }
}
