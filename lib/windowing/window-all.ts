import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { WindowAssigner } from './assigners/window-assigner';
import { windowOperator, type WindowOptions, type WindowResult } from './window-operator-internals';
import type { Window } from './windows/window';

/**
 * Windows a non-keyed stream: every element goes to the same set of windows (the key passed to window
 * functions is `undefined`, and output records carry no key).
 *
 * It's like Flink's `DataStream.windowAll`.
 *
 * ```text
 * windowAll(TumblingEventTimeWindows.of(10), { aggregate: windowCount() })
 * source:  a(1) b(5) c(12) W(9)  M
 * output:  ------------- 2(9)  1(19) M
 * ```
 *
 * @example
 * ```ts
 * readings$.pipe(assignWatermarks(strategy), windowAll(TumblingEventTimeWindows.of(1000), { aggregate: windowMax('celsius') }))
 * ```
 * @see window
 */
export function windowAll<T, W extends Window = Window, O extends WindowOptions<T, any, undefined, W> = WindowOptions<T, T[], undefined, W>>(
  assigner: WindowAssigner<T, W>,
  options?: O,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  return windowOperator<T, WindowResult<T, O>, W>('windowAll', assigner, options, false);
}
