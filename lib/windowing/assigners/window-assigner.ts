import type { Timestamp } from '../../core/types';
import type { Trigger } from '../triggers/trigger';
import type { Window } from '../windows/window';

/** What an assigner may read: processing time. */
export interface WindowAssignerContext {
  currentProcessingTime(): Timestamp;
}

/**
 * Assigns each element to zero or more windows, and names the trigger used when none is given.
 *
 * @example
 * ```ts
 * window(TumblingEventTimeWindows.of(60_000), { aggregate: windowCount() })
 * ```
 * @see Flink's `WindowAssigner`
 */
export interface WindowAssigner<T, W extends Window> {
  /** Display name, used in errors. */
  readonly name: string;
  /** The windows of an element; the array may be shared between calls: read it, never change it. */
  assignWindows(element: T, timestamp: Timestamp | undefined, ctx: WindowAssignerContext): readonly W[];
  getDefaultTrigger(): Trigger<T, W>;
  /** True when windows are in event time (fired by watermarks; late data applies). */
  isEventTime(): boolean;
}

/**
 * An assigner whose windows merge (sessions): `mergeWindows` reports each group of windows to merge and
 * the window that covers them.
 * @see Flink's `MergingWindowAssigner`
 */
export interface MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  readonly merging: true;
  mergeWindows(windows: readonly W[], merge: (toMerge: W[], result: W) => void): void;
}

/** True when the assigner merges windows. */
export function isMerging<T, W extends Window>(a: WindowAssigner<T, W>): a is MergingWindowAssigner<T, W> {
  return (a as Partial<MergingWindowAssigner<T, W>>).merging === true;
}
