import { ElementKind, isElementOf, StreamElementBase } from './stream-element';

/**
 * Marks an input idle (it emits no records for now and is left out of the minimum watermark downstream)
 * or active again.
 *
 * @example
 * ```ts
 * WatermarkStatus.IDLE
 * ```
 * @see Flink's `WatermarkStatus`
 */
export class WatermarkStatus extends StreamElementBase {
  readonly kind = ElementKind.WatermarkStatus;
  /** True for WatermarkStatus elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is WatermarkStatus {
    return isElementOf(this, WatermarkStatus, ElementKind.WatermarkStatus, x);
  }
  constructor(readonly idle: boolean) {
    super();
  }
  static readonly IDLE: WatermarkStatus = new WatermarkStatus(true);
  static readonly ACTIVE: WatermarkStatus = new WatermarkStatus(false);
}
