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

/** Throws unless `ms` is a positive finite number (a window size, slide or gap). */
export function checkPositive(operator: string, option: string, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new InvalidArgumentError({ operator }, option, ms, 'must be a positive finite number of milliseconds');
  }
}

/** Throws unless `|offset| < bound`. */
export function checkOffset(operator: string, offset: unknown, bound: number, boundName: string): void {
  if (typeof offset !== 'number' || !Number.isFinite(offset) || Math.abs(offset) >= bound) {
    throw new InvalidArgumentError({ operator }, 'offset', offset, `must be a finite number with |offset| < ${boundName} (${bound})`);
  }
}
