import { ElementKind, StreamElementBase } from './stream-element';
import { MAX_WATERMARK, type Timestamp } from './types';

/**
 * A watermark: the assertion that no more records with a timestamp `<= time` will arrive. Event time
 * advances only by watermarks. At the end of bounded input the largest watermark ({@link MAX_WATERMARK})
 * is emitted so every window and timer fires.
 *
 * @example
 * ```ts
 * new Watermark(999) // event time has reached 999 ms
 * ```
 * @see Flink's `org.apache.flink.streaming.api.watermark.Watermark`
 */
export class Watermark extends StreamElementBase {
  readonly kind = ElementKind.Watermark;
  constructor(readonly time: Timestamp) {
    super();
  }
  /** The end-of-input watermark. */
  static readonly MAX: Watermark = new Watermark(MAX_WATERMARK);
}
