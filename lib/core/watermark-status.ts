import { ElementKind, StreamElementBase } from './stream-element';

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
  constructor(readonly idle: boolean) {
    super();
  }
  static readonly IDLE: WatermarkStatus = new WatermarkStatus(true);
  static readonly ACTIVE: WatermarkStatus = new WatermarkStatus(false);
}
