import { TumblingEventTimeWindows } from './assigners/tumbling-event-time-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { WindowOptions } from './window-operator-internals';
import type { Key } from '../core/types';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/** Options of the time-window sugar: window options plus the window offset. */
export interface TimeWindowOptions<T, R, K = Key> extends WindowOptions<T, R, K, TimeWindow> {
  /** Shifts window starts by this many ms (|offset| < size, or < slide for sliding windows). */
  offset?: number;
}

/**
 * Keyed tumbling event-time windows of `size` ms: `window(TumblingEventTimeWindows.of(size, offset), opts)`.
 *
 * ```text
 * tumblingEventWindow(10, { aggregate: windowCount() }), keyed by k
 * source:  a(1) b(9) c(10) W(9) W(19)
 * output:  ------------- 2(9) 1(19)
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(keyBy((c) => c.url), tumblingEventWindow(60_000, { aggregate: windowCount(), lateOutput: late }))
 * ```
 * @throws InvalidArgumentError when `size` (or `offset`) is not a positive integer (an integer with `|offset| < size`).
 * @see window, TumblingEventTimeWindows
 */
export const tumblingEventWindow: WindowOperatorSignatures<'size', TimeWindow, true, { offset?: number }> = (size: number, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('tumblingEventWindow', options);
  return windowOperator('tumblingEventWindow', TumblingEventTimeWindows.of(size, options?.offset ?? 0), options, true);
};
