import type { WatermarkGenerator } from '../watermark-generator';

/**
 * Emits no watermarks (event time never advances, except at the end of input).
 *
 * @example
 * ```ts
 * new NoWatermarksGenerator()
 * ```
 * @see Flink's `NoWatermarksGenerator`
 */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}
