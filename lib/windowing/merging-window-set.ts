/**
 * The active windows of one key for a merging assigner (sessions). Adding a window merges it with the
 * windows it overlaps and reports every merge, so the operator can merge their contents, trigger state
 * and timers. Unlike Flink's MergingWindowSet there is no separate "state window": contents are merged
 * in memory directly.
 * @module
 */
import type { MergingWindowAssigner } from './assigners/window-assigner';
import type { Window } from './windows/window';

/** Called for each merge: the covering window and the pre-existing windows merged into it. */
export type MergeCallback<W> = (result: W, merged: W[]) => void;

/** The active windows of one key, merged as the assigner says. */
export class MergingWindowSet<W extends Window> {
  private windows: W[] = [];

  constructor(private readonly assigner: MergingWindowAssigner<unknown, W>) {}

  /** Number of active windows. */
  get size(): number {
    return this.windows.length;
  }

  /** True when `w` (by id) is one of the active windows. */
  has(w: W): boolean {
    const id = w.id();
    return this.windows.some((x) => x.id() === id);
  }

  /**
   * Adds `newWindow`, merging as needed; returns the window the new element belongs to (the merge result
   * when it merged, else `newWindow`). `onMerge` is called for every merge that changes a pre-existing
   * window, before the merged windows leave the set.
   */
  addWindow(newWindow: W, onMerge: MergeCallback<W>): W {
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
      const unchanged = m.merged.length === 1 && m.merged[0]!.id() === m.result.id();
      if (!unchanged) onMerge(m.result, m.merged);
      const gone = new Set(m.merged.map((w) => w.id()));
      this.windows = this.windows.filter((w) => !gone.has(w.id()));
      this.windows.push(m.result);
    }
    if (!merged) this.windows.push(newWindow);
    return result;
  }

  /** Removes a window (cleaned up, or late on arrival). */
  retireWindow(w: W): void {
    const id = w.id();
    this.windows = this.windows.filter((x) => x.id() !== id);
  }

  /** The active windows. */
  toArray(): readonly W[] {
    return this.windows;
  }
}
