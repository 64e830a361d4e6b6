import type { SessionGapExtractor } from './assigners/event-time-session-windows';
import { ProcessingTimeSessionWindows } from './assigners/processing-time-session-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed processing-time session windows with a fixed or per-element gap.
 *
 * ```text
 * sessionProcessingWindow(5, { aggregate: windowCount() }), keyed by k
 * source (frames):  a@1 b@4 c@20 ... |@40
 * output:           2@8 1@24
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(keyBy((e) => e.user), sessionProcessingWindow(60_000, { aggregate: windowCount() }))
 * ```
 * @throws InvalidArgumentError when the gap is not a positive integer.
 * @see window, ProcessingTimeSessionWindows
 */
export const sessionProcessingWindow: WindowOperatorSignatures<'gap', TimeWindow, true> = (gap: number | SessionGapExtractor<unknown>, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('sessionProcessingWindow', options);
  return windowOperator(
    'sessionProcessingWindow',
    typeof gap === 'function' ? ProcessingTimeSessionWindows.withDynamicGap(gap) : ProcessingTimeSessionWindows.withGap(gap),
    options,
    true,
  );
};
