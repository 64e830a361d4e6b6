import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { TumblingProcessingTimeWindows } from './assigners/tumbling-processing-time-windows';
import type { TimeWindowOptions } from './tumbling-event-window';
import { window } from './window';
import type { WindowResult } from './window-operator-internals';
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
export function tumblingProcessingWindow<T, O extends TimeWindowOptions<T, any> = TimeWindowOptions<T, T[]>>(size: number, options?: O): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('tumblingProcessingWindow', options); // a non-object would vanish in the spread below
  return window<T, TimeWindow, O>(TumblingProcessingTimeWindows.of(size, options?.offset ?? 0), { name: 'tumblingProcessingWindow', ...options } as O);
}
