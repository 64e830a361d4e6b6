import { MIN_WATERMARK, type Timestamp } from '../../core/types';
import type { WatermarkGenerator, WatermarkOutput } from '../watermark-generator';

/**
 * Periodic watermarks that trail the largest timestamp seen by a fixed delay: watermark =
 * max timestamp − delay − 1. Nothing is emitted before the first event.
 *
 * @example
 * ```ts
 * new BoundedOutOfOrdernessWatermarks(5_000) // events may be up to 5 s out of order
 * ```
 * @see Flink's `BoundedOutOfOrdernessWatermarks`
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: Timestamp;
  constructor(private readonly outOfOrdernessMs: number) {
    this.maxTimestamp = MIN_WATERMARK + outOfOrdernessMs + 1;
  }
  onEvent(_event: T, eventTimestamp: Timestamp): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}
