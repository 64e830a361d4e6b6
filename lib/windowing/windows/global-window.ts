import { MAX_WATERMARK, type Timestamp } from '../../core/types';
import type { Window } from './window';

/**
 * The single window of the global window assigner: it holds every element of a key and never ends, so
 * only a custom trigger (a count trigger, say) fires it.
 *
 * @example
 * ```ts
 * GlobalWindow.INSTANCE.maxTimestamp() === MAX_WATERMARK
 * ```
 * @see Flink's `GlobalWindow`
 */
export class GlobalWindow implements Window {
  static readonly INSTANCE: GlobalWindow = new GlobalWindow();
  private constructor() {}
  maxTimestamp(): Timestamp {
    return MAX_WATERMARK;
  }
  id(): string {
    return 'global';
  }
  toString(): string {
    return 'GlobalWindow';
  }
}
