/**
 * The active windows of one key for a merging assigner (sessions). Adding a window merges it with the
 * windows it overlaps and reports every merge, so the operator can merge their contents, trigger state
 * and timers. Unlike Flink's MergingWindowSet there is no separate "state window": contents are merged
 * in memory directly.
 * @module
 */
import { EventTimeSessionWindows } from './assigners/event-time-session-windows';
import { ProcessingTimeSessionWindows } from './assigners/processing-time-session-windows';
import type { MergingWindowAssigner } from './assigners/window-assigner';
import { sameWindow, type TimeWindow } from './windows/time-window';
import type { Window } from './windows/window';

/** Called for each merge: the covering window and the pre-existing windows merged into it. */
export type MergeCallback<W> = (result: W, merged: W[]) => void;

/** The active windows of one key, merged as the assigner says. */
export class MergingWindowSet<W extends Window> {
  private windows: W[] = [];
  /** Built-in sessions merge only windows that intersect, so a window that meets none merges nothing. */
  private readonly sessions: boolean;

  constructor(private readonly assigner: MergingWindowAssigner<unknown, W>) {
    this.sessions = assigner instanceof EventTimeSessionWindows || assigner instanceof ProcessingTimeSessionWindows;
  }

  /** Number of active windows. */
  get size(): number {
    return this.windows.length;
  }

  /** True when `w` is one of the active windows. */
  has(w: W): boolean {
    for (const x of this.windows) if (sameWindow(x, w)) return true;
    return false;
  }

  /**
   * Adds `newWindow`, merging as needed; returns the window the new element belongs to (the merge result
   * when it merged, else `newWindow`). `onMerge` is called for every merge that changes a pre-existing
   * window, before the merged windows leave the set.
   */
  addWindow(newWindow: W, onMerge: MergeCallback<W>): W {
    if (this.sessions && !this.windows.some((w) => (w as unknown as TimeWindow).intersects(newWindow as unknown as TimeWindow))) {
      // the active windows never intersect each other, so nothing merges
      this.windows.push(newWindow);
      return newWindow;
    }
    let result = newWindow;
    let merged = false;
    const all = [...this.windows, newWindow];
    const merges: Array<{ result: W; merged: W[] }> = [];
    this.assigner.mergeWindows(all, (toMerge, mergeResult) => {
      const existing = toMerge.filter((w) => w !== newWindow);
      if (existing.length !== toMerge.length) {
        merged = true;
        result = mergeResult;
      }
      merges.push({ result: mergeResult, merged: existing });
    });
    for (const m of merges) {
      const unchanged = m.merged.length === 1 && sameWindow(m.merged[0]!, m.result);
      if (!unchanged) onMerge(m.result, m.merged);
      this.windows = this.windows.filter((w) => !m.merged.some((g) => sameWindow(g, w)));
      this.windows.push(m.result);
    }
    if (!merged) this.windows.push(newWindow);
    return result;
  }

  /** Removes a window (cleaned up, or late on arrival). */
  retireWindow(w: W): void {
    const i = this.windows.findIndex((x) => sameWindow(x, w));
    if (i >= 0) this.windows.splice(i, 1);
  }

  /** The active windows. */
  toArray(): readonly W[] {
    return this.windows;
  }

  /** Replaces the active windows with restored ones (in the order they were written). */
  restore(windows: readonly W[]): void {
    this.windows = [...windows];
  }
}
