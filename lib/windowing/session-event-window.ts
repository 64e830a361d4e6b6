import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { EventTimeSessionWindows, type SessionGapExtractor } from './assigners/event-time-session-windows';
import { window } from './window';
import type { WindowOptions, WindowResult } from './window-operator-internals';
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
export function sessionEventWindow<T, O extends WindowOptions<T, any, Key, TimeWindow> = WindowOptions<T, T[], Key, TimeWindow>>(
  gap: number | SessionGapExtractor<T>,
  options?: O,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('sessionEventWindow', options); // a non-object would vanish in the spread below
  const assigner = typeof gap === 'function' ? EventTimeSessionWindows.withDynamicGap(gap) : (EventTimeSessionWindows.withGap(gap) as EventTimeSessionWindows<T>);
  return window<T, TimeWindow, O>(assigner, { name: 'sessionEventWindow', ...options } as O);
}
