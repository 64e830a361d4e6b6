import { BoundedOutOfOrdernessWatermarks } from './bounded-out-of-orderness';

/**
 * Periodic watermarks for ascending timestamps: watermark = max timestamp − 1.
 *
 * @example
 * ```ts
 * new AscendingTimestampsWatermarks()
 * ```
 * @see Flink's `AscendingTimestampsWatermarks`
 */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}
