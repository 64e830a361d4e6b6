import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';

/** An element of a window with its timestamp, as evictors see it. */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: Timestamp | undefined;
}

/** What an evictor may read. */
export interface EvictorContext {
  currentProcessingTime(): Timestamp;
  currentWatermark(): Timestamp;
}

/**
 * Removes elements from a window before and/or after its function runs. Each method returns the
 * elements to keep (in order). A window with an evictor keeps every element (no incremental
 * aggregation), as in Flink.
 *
 * @example
 * ```ts
 * // keep only elements whose value is positive, before the function
 * const positives: Evictor<number, TimeWindow> = { evictBefore: (els) => els.filter((e) => e.value > 0), evictAfter: (els) => els };
 * ```
 * @see Flink's `Evictor`
 */
export interface Evictor<T, W extends Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): TimestampedValue<T>[];
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): TimestampedValue<T>[];
}
