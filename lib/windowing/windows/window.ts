import { MAX_WATERMARK, type Timestamp } from '../../core/types';

/**
 * A window: a finite (or, for the global window, unbounded) bucket of elements. `maxTimestamp()` is the
 * largest timestamp that still belongs to it; event-time windows fire when the watermark reaches it.
 *
 * @example
 * ```ts
 * const w: Window = new TimeWindow(0, 1000); w.maxTimestamp() // 999
 * ```
 * @see Flink's `Window`
 */
export interface Window {
  maxTimestamp(): Timestamp;
  /** A stable id, used as the namespace of timers and state. */
  id(): string;
}

/**
 * When an event-time window's state goes: `maxTimestamp + allowedLateness`, or MAX_WATERMARK (never) when
 * that would pass the largest timestamp.
 * @example `cleanupTime(999, 5_000) // 5_999`
 */
export function cleanupTime(maxTimestamp: Timestamp, lateness: number): Timestamp {
  const t = maxTimestamp + lateness;
  return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
}
