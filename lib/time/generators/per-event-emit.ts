import type { Timestamp } from '../../core/types';
import type { WatermarkGenerator, WatermarkOutput } from '../watermark-generator';

/**
 * Wraps a periodic generator so it also emits after every event: each `onEvent` is followed by the
 * wrapped generator's `onPeriodicEmit`, so the watermark follows the data at once instead of every
 * `interval` ms of processing time. Periodic emits still happen (for idleness detection).
 *
 * It's like Flink's punctuated generators (a watermark from `onEvent`), but for any periodic generator:
 * what an in-memory or replayed source needs, where the whole input passes before the first periodic
 * emit and event time would otherwise only advance at the end.
 *
 * ```text
 * inner: BoundedOutOfOrdernessWatermarks(1000)
 * input:   a(2000)------b(4000)--c(3000)--|
 * output:  a W(999)-----b W(2999)-c-------(M|)     (no W after c: watermarks never go backwards)
 * ```
 *
 * @example
 * ```ts
 * new PerEventWatermarks(new BoundedOutOfOrdernessWatermarks(5_000))
 * // usually through the strategy:
 * WatermarkStrategy.forBoundedOutOfOrderness(5_000).withPerEventEmit()
 * ```
 * @typeParam T the record values it sees.
 * @see WatermarkStrategy.withPerEventEmit, Flink's `WatermarkGenerator`
 */
export class PerEventWatermarks<T> implements WatermarkGenerator<T> {
  constructor(private readonly inner: WatermarkGenerator<T>) {}

  onEvent(event: T, eventTimestamp: Timestamp, output: WatermarkOutput): void {
    this.inner.onEvent(event, eventTimestamp, output);
    this.inner.onPeriodicEmit(output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    this.inner.onPeriodicEmit(output);
  }
}
