import { EventTimeSessionWindows, type SessionGapExtractor } from './assigners/event-time-session-windows';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { TimeWindow } from './windows/time-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed event-time session windows with a fixed gap, or a gap computed from each element.
 *
 * ```text
 * sessionEventWindow(5, { aggregate: windowCount() }), keyed by k
 * source:  a(1) b(4) c(20) W(9) M
 * output:  --------------- 2(8) 1(24)       (sessions [1,9) and [20,25))
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(keyBy((c) => c.user), sessionEventWindow(30 * 60_000, { aggregate: windowCount() }))
 * clicks$.pipe(keyBy((c) => c.user), sessionEventWindow((c: Click) => (c.vip ? 60_000 : 10_000)))
 * ```
 * @throws InvalidArgumentError when the gap is not a positive integer (for a gap function, when it returns one).
 * @see window, EventTimeSessionWindows
 */
export const sessionEventWindow: WindowOperatorSignatures<'gap', TimeWindow, true> = (gap: number | SessionGapExtractor<unknown>, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('sessionEventWindow', options);
  return windowOperator('sessionEventWindow', typeof gap === 'function' ? EventTimeSessionWindows.withDynamicGap(gap) : EventTimeSessionWindows.withGap(gap), options, true);
};
