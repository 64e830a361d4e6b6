import type { Key } from '../../core/types';
import type { Window } from '../windows/window';

/**
 * A window's result together with its key and window: what a window operator emits with
 * `{ windowed: true }`, so a result keeps both after `values()`.
 *
 * It's like the key and window a Flink `ProcessWindowFunction` receives, handed on with the result (as
 * Kafka Streams' `Windowed` key, or the `key` of an RxJS `GroupedObservable`), without writing one.
 *
 * One small object per result, with its fields in a fixed order; the record around it keeps the window's
 * `maxTimestamp()` (`end - 1`) as timestamp and the key as key.
 *
 * @example
 * ```ts
 * import { assignWatermarks, fromCollection, keyBy, tumblingEventWindow, values, WatermarkStrategy, windowCount } from 'tidemark';
 *
 * const clicks = [{ url: '/a', ts: 1_000 }, { url: '/a', ts: 2_000 }, { url: '/b', ts: 3_000 }];
 * fromCollection(clicks)
 *   .pipe(
 *     assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<(typeof clicks)[number]>().withTimestampAssigner((c) => c.ts)),
 *     keyBy((c) => c.url),
 *     tumblingEventWindow(60_000, { aggregate: windowCount(), windowed: true }),
 *     values(),
 *   )
 *   .subscribe(({ key, window, value }) => console.log(`${key} [${window.start}, ${window.end}): ${value}`));
 * ```
 * @typeParam V the window's result (what it emits without `windowed`).
 * @typeParam K the key (`undefined` in `windowAll`).
 * @typeParam W the window (`TimeWindow` for time windows, `GlobalWindow` for count and global windows).
 * @see window, windowAll, ProcessWindowFunction
 */
export class WindowedValue<V, K = Key, W extends Window = Window> {
  constructor(
    /** The key of the window (`undefined` in `windowAll`). */
    readonly key: K,
    /** The window that fired. */
    readonly window: W,
    /** The window's result. */
    readonly value: V,
  ) {}
}
