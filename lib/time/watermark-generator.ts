import type { SchedulerLike } from 'rxjs';
import type { Timestamp } from '../core/types';

/** Where a {@link WatermarkGenerator} emits: watermarks, and idleness of its input. */
export interface WatermarkOutput {
  /** Emits a watermark; ignored unless it is larger than the last one (watermarks never go backwards). */
  emitWatermark(time: Timestamp): void;
  /** Marks the input idle: it is left out of the minimum watermark downstream until it emits again. */
  markIdle(): void;
  /** Marks the input active again. */
  markActive(): void;
}

/**
 * Generates watermarks from the events it sees (punctuated: in `onEvent`) and/or periodically (in
 * `onPeriodicEmit`, called every `interval` ms of processing time).
 *
 * @example
 * ```ts
 * // punctuated: a watermark after every event flagged as the end of a batch
 * const gen: WatermarkGenerator<Ev> = {
 *   onEvent: (e, ts, out) => { if (e.endOfBatch) out.emitWatermark(ts) },
 *   onPeriodicEmit: () => {},
 * };
 * ```
 * @see Flink's `WatermarkGenerator`
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: Timestamp, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** What a generator factory receives: processing time from the operator's scheduler. */
export interface WatermarkGeneratorContext {
  readonly scheduler: SchedulerLike;
  currentProcessingTime(): Timestamp;
}

/** Builds a generator for one subscription. */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorContext) => WatermarkGenerator<T>;

/**
 * Extracts a record's event timestamp (ms). `previousTimestamp` is the timestamp the record already
 * carried, or `undefined`.
 */
export type TimestampAssigner<T> = (value: T, previousTimestamp: Timestamp | undefined) => Timestamp;
