import type { WindowAssigner } from './assigners/window-assigner';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
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
export const windowAll: WindowOperatorSignatures<'assigner', Window, false> = (assigner: WindowAssigner<unknown, Window>, options?: AnyWindowOptions): AnyWindowOperator =>
  windowOperator('windowAll', assigner, options, false);
