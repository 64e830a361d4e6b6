import { invalidTimestamp, isTimestamp } from '../../core/check-timestamp';
import type { Timestamp } from '../../core/types';
import { TimeWindow } from '../windows/time-window';

/**
 * The event timestamp of an element; a record without one, or with one that is not a valid timestamp
 * (which only a record built around the `StreamRecord` constructor's check can carry: one from another
 * copy of the library, or one changed by plain JavaScript), cannot go to an event-time window.
 */
export function requireTimestamp(assigner: string, timestamp: Timestamp | undefined, value: unknown): Timestamp {
  if (isTimestamp(timestamp)) return timestamp;
  throw timestamp === undefined
    ? invalidTimestamp(
        { operator: assigner },
        value,
        'an event-time window needs records with timestamps: apply assignWatermarks(strategy) upstream, or use a processing-time window',
      )
    : invalidTimestamp({ operator: assigner }, timestamp, undefined);
}

/** The tumbling window of size `size` (shifted by `offset`) holding `t`. */
export function tumblingWindow(t: Timestamp, size: number, offset: number): TimeWindow {
  const start = TimeWindow.startOf(t, offset, size);
  return new TimeWindow(start, start + size);
}

/** Every sliding window of `size`, one each `slide`, holding `t`; the latest first. */
export function slidingWindows(t: Timestamp, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const last = TimeWindow.startOf(t, offset, slide);
  for (let start = last; start > t - size; start -= slide) windows.push(new TimeWindow(start, start + size));
  return windows;
}

/**
 * The sliding windows of `t`, reused while timestamps stay in the same slide (windows are immutable and
 * callers only read the array).
 */
export class SlidingWindowCache {
  private start = Number.NaN;
  private windows: TimeWindow[] = [];
  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {}
  windowsOf(t: Timestamp): readonly TimeWindow[] {
    const start = TimeWindow.startOf(t, this.offset, this.slide);
    if (start !== this.start) {
      this.start = start;
      this.windows = slidingWindows(t, this.size, this.slide, this.offset);
    }
    return this.windows;
  }
}

/** Merges overlapping session windows: sorts by start and reports every group of two or more. */
export function mergeSessions(windows: readonly TimeWindow[], merge: (toMerge: TimeWindow[], result: TimeWindow) => void): void {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  let group: TimeWindow[] = [];
  let cover: TimeWindow | undefined;
  const flush = (): void => {
    if (group.length > 1 && cover !== undefined) merge(group, cover);
  };
  for (const w of sorted) {
    if (cover === undefined) {
      cover = w;
      group = [w];
    } else if (cover.intersects(w)) {
      cover = cover.cover(w);
      group.push(w);
    } else {
      flush();
      cover = w;
      group = [w];
    }
  }
  flush();
}
