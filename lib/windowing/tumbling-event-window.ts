import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { TumblingEventTimeWindows } from './assigners/tumbling-event-time-windows';
import { window } from './window';
import type { WindowResult } from './window-operator-internals';
import type { WindowOptions } from './window-operator-internals';
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
export function tumblingEventWindow<T, O extends TimeWindowOptions<T, any> = TimeWindowOptions<T, T[]>>(size: number, options?: O): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('tumblingEventWindow', options); // a non-object would vanish in the spread below
  return window<T, TimeWindow, O>(TumblingEventTimeWindows.of(size, options?.offset ?? 0), { name: 'tumblingEventWindow', ...options } as O);
}
