import { SlidingEventTimeWindows } from './assigners/sliding-event-time-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed sliding event-time windows: `window(SlidingEventTimeWindows.of(size, slide, offset), opts)`. With
 * an incremental aggregate each window keeps one accumulator; elements are never re-scanned.
 *
 * ```text
 * slidingEventWindow(10, 5, { aggregate: windowCount() }), keyed by k
 * source:  a(7) W(9) W(14) M
 * output:  ---- 1(9) 1(14)         ([0,10) and [5,15) both hold a)
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(keyBy((c) => c.url), slidingEventWindow(10_000, 5_000, { aggregate: windowCount() }))
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer, or `size > 10_000 × slide` (MAX_SLIDING_WINDOWS_PER_ELEMENT windows per element).
 * @see window, SlidingEventTimeWindows
 */
export const slidingEventWindow: WindowOperatorSignatures<'slide', TimeWindow, true, { offset?: number }> = (size: number, slide: number, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('slidingEventWindow', options);
  return windowOperator('slidingEventWindow', SlidingEventTimeWindows.of(size, slide, options?.offset ?? 0), options, true);
};
