import type { WindowAssigner } from './assigners/window-assigner';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { Window } from './windows/window';

/**
 * Groups a keyed stream's elements into windows by `assigner`, and emits the result of the window
 * function each time a window fires: one record per firing, with timestamp `window.maxTimestamp()`
 * (`end - 1`) and the key.
 *
 * It's like RxJS's `windowTime`/`bufferTime`, but keyed, in event time, and Flink-exact
 * (`keyBy(...).window(assigner)`): watermarks fire windows, late elements are counted and can go to a
 * side output, triggers and evictors plug in.
 *
 * ```text
 * TumblingEventTimeWindows.of(10), aggregate: windowCount(), keyed by k
 * source:  a(1)[k] b(5)[k] c(12)[k] W(9)  W(19)
 * output:  ---------------------- 2(9)[k] 1(19)[k]
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(
 *   assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5_000).withTimestampAssigner((c: Click) => c.ts)),
 *   keyBy((c) => c.url),
 *   window(TumblingEventTimeWindows.of(60_000), { aggregate: windowCount(), lateOutput: lateClicks }),
 * )
 * ```
 * @throws NotKeyedError (as an error notification) on a non-keyed stream (use `windowAll`);
 * InvalidArgumentError for a negative lateness or conflicting window functions.
 * @see windowAll, tumblingEventWindow, Flink's `WindowedStream`
 */
export const window: WindowOperatorSignatures<'assigner', Window, true> = (assigner: WindowAssigner<unknown, Window>, options?: AnyWindowOptions): AnyWindowOperator =>
  windowOperator('window', assigner, options, true);
