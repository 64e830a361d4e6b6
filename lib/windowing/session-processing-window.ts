import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import type { SessionGapExtractor } from './assigners/event-time-session-windows';
import { ProcessingTimeSessionWindows } from './assigners/processing-time-session-windows';
import { window } from './window';
import type { WindowOptions, WindowResult } from './window-operator-internals';
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
export function sessionProcessingWindow<T, O extends WindowOptions<T, any, Key, TimeWindow> = WindowOptions<T, T[], Key, TimeWindow>>(
  gap: number | SessionGapExtractor<T>,
  options?: O,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('sessionProcessingWindow', options); // a non-object would vanish in the spread below
  const assigner =
    typeof gap === 'function' ? ProcessingTimeSessionWindows.withDynamicGap(gap) : (ProcessingTimeSessionWindows.withGap(gap) as ProcessingTimeSessionWindows<T>);
  return window<T, TimeWindow, O>(assigner, { name: 'sessionProcessingWindow', ...options } as O);
}
