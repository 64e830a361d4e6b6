import { TumblingProcessingTimeWindows } from './assigners/tumbling-processing-time-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed tumbling processing-time windows: by the scheduler's clock (virtual under TestScheduler).
 *
 * ```text
 * tumblingProcessingWindow(10, { aggregate: windowCount() }), keyed by k
 * source (frames):  a@1 b@5 c@12 ... |@30
 * output:           2@9 1@19
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(keyBy((e) => e.type), tumblingProcessingWindow(1000, { aggregate: windowCount(), scheduler }))
 * ```
 * @throws InvalidArgumentError when `size` (or `offset`) is not a positive integer (an integer with `|offset| < size`).
 * @see window, TumblingProcessingTimeWindows
 */
export const tumblingProcessingWindow: WindowOperatorSignatures<'size', TimeWindow, true, { offset?: number }> = (size: number, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('tumblingProcessingWindow', options);
  return windowOperator('tumblingProcessingWindow', TumblingProcessingTimeWindows.of(size, options?.offset ?? 0), options, true);
};
