import { checkTimestamp } from './check-timestamp';
import { ElementKind, isElementOf, StreamElementBase } from './stream-element';
import { MAX_WATERMARK, type Timestamp } from './types';

/**
 * A watermark: the assertion that no more records with a timestamp `<= time` will arrive. Event time
 * advances only by watermarks. At the end of bounded input the largest watermark ({@link MAX_WATERMARK})
 * is emitted so every window and timer fires.
 *
 * An operator only ever sees watermarks that advance: its input drops one that is not larger than the
 * last (as Flink's `StatusWatermarkValve` does), so time never goes backwards for user code.
 *
 * @example
 * ```ts
 * new Watermark(999) // event time has reached 999 ms
 * ```
 * @throws InvalidTimestampError when `time` is NaN, ±Infinity, not a number, or beyond the safe range.
 * @see Flink's `org.apache.flink.streaming.api.watermark.Watermark`
 */
export class Watermark extends StreamElementBase {
  readonly kind = ElementKind.Watermark;
  /** True for Watermark elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is Watermark {
    return isElementOf(this, Watermark, ElementKind.Watermark, x);
  }
  constructor(readonly time: Timestamp) {
    super();
    checkTimestamp({ operator: 'Watermark' }, time, 'a watermark\'s time must be a finite number of milliseconds within ±Number.MAX_SAFE_INTEGER');
  }
  /** The end-of-input watermark. */
  static readonly MAX: Watermark = new Watermark(MAX_WATERMARK);
}
