import type { Timestamp } from '../../core/types';
import type { WatermarkGenerator, WatermarkOutput } from '../watermark-generator';

/**
 * Wraps a generator and marks the input idle when no event arrived for more than `idleTimeoutMs` of processing
 * time (checked at each periodic emit); the next event makes it active again.
 *
 * @example
 * ```ts
 * new WatermarksWithIdleness(new BoundedOutOfOrdernessWatermarks(1000), 60_000, () => scheduler.now())
 * ```
 * @see Flink's `WatermarksWithIdleness`
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private counter = 0;
  private lastCounter = 0;
  private startOfInactivity: Timestamp | undefined;
  private idle = false;

  constructor(
    private readonly inner: WatermarkGenerator<T>,
    private readonly idleTimeoutMs: number,
    private readonly now: () => Timestamp,
  ) {}

  onEvent(event: T, eventTimestamp: Timestamp, output: WatermarkOutput): void {
    this.counter++;
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.inner.onEvent(event, eventTimestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.checkIfIdle()) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
    } else {
      this.inner.onPeriodicEmit(output);
    }
  }

  private checkIfIdle(): boolean {
    if (this.counter !== this.lastCounter) {
      this.lastCounter = this.counter;
      this.startOfInactivity = undefined;
      return false;
    }
    if (this.startOfInactivity === undefined) {
      this.startOfInactivity = this.now();
      return false;
    }
    return this.now() - this.startOfInactivity > this.idleTimeoutMs;
  }
}
