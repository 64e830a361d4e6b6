import { SlidingProcessingTimeWindows } from './assigners/sliding-processing-time-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed sliding processing-time windows.
 *
 * ```text
 * slidingProcessingWindow(10, 5, { aggregate: windowCount() }), keyed by k
 * source (frames):  a@7 ... |@30
 * output:           1@9 1@14        ([0,10) and [5,15))
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(keyBy((e) => e.type), slidingProcessingWindow(10_000, 1_000, { aggregate: windowCount() }))
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer, or `size > 10_000 × slide` (MAX_SLIDING_WINDOWS_PER_ELEMENT windows per element).
 * @see window, SlidingProcessingTimeWindows
 */
export const slidingProcessingWindow: WindowOperatorSignatures<'slide', TimeWindow, true, { offset?: number }> = (size: number, slide: number, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('slidingProcessingWindow', options);
  return windowOperator('slidingProcessingWindow', SlidingProcessingTimeWindows.of(size, slide, options?.offset ?? 0), options, true);
};
