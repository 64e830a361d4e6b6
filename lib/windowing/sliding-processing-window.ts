import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { SlidingProcessingTimeWindows } from './assigners/sliding-processing-time-windows';
import type { TimeWindowOptions } from './tumbling-event-window';
import { window } from './window';
import type { WindowResult } from './window-operator-internals';
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
export function slidingProcessingWindow<T, O extends TimeWindowOptions<T, any> = TimeWindowOptions<T, T[]>>(size: number, slide: number, options?: O): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('slidingProcessingWindow', options); // a non-object would vanish in the spread below
  return window<T, TimeWindow, O>(SlidingProcessingTimeWindows.of(size, slide, options?.offset ?? 0), { name: 'slidingProcessingWindow', ...options } as O);
}
