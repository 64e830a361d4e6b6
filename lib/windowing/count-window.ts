import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { GlobalWindows } from './assigners/global-windows';
import { CountEvictor } from './evictors/count-evictor';
import { CountTrigger } from './triggers/count-trigger';
import { PurgingTrigger } from './triggers/purging-trigger';
import type { WindowAssigner } from './assigners/window-assigner';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
import type { GlobalWindow } from './windows/global-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed count windows: tumbling (`countWindow(size)`: every `size` elements of a key, then start over)
 * or sliding (`countWindow(size, slide)`: every `slide` elements, over the last `size`).
 *
 * It's like RxJS's `bufferCount(size, slide)` per key, as Flink's `KeyedStream.countWindow`: the global
 * window with a (purging) count trigger and, when sliding, a count evictor.
 *
 * ```text
 * countWindow(2):     a-b-c-d-e|   → [a,b] [c,d]          (e waits for a partner)
 * countWindow(3, 1):  a-b-c-d|     → [a] [a,b] [a,b,c] [b,c,d]
 * ```
 *
 * @example
 * ```ts
 * readings$.pipe(keyBy((r) => r.sensor), countWindow(10, 5, { aggregate: windowMax('celsius') }))
 * ```
 * @throws InvalidArgumentError when `size` or `slide` is not a positive integer.
 * @see window, GlobalWindows, CountTrigger, CountEvictor
 */
export const countWindow: WindowOperatorSignatures<'count', GlobalWindow, true> & CountWindowShort = (size: number, slide?: number, options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('countWindow', options);
  if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError({ operator: 'countWindow' }, 'size', size, 'must be a positive integer');
  if (slide !== undefined && (!Number.isInteger(slide) || slide <= 0)) {
    throw new InvalidArgumentError({ operator: 'countWindow' }, 'slide', slide, 'must be a positive integer');
  }
  const assigner = GlobalWindows.create() as unknown as WindowAssigner<unknown, GlobalWindow>;
  if (slide === undefined) {
    return windowOperator('countWindow', assigner, { ...options, trigger: PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)) }, true);
  }
  return windowOperator('countWindow', assigner, { ...options, evictor: CountEvictor.of<unknown, GlobalWindow>(size), trigger: CountTrigger.of<GlobalWindow>(slide) }, true);
};

/** `countWindow(size)` and `countWindow(size, slide)` without options: the arrays of elements. */
export type CountWindowShort = <T, K = Key>(size: number, slide?: number) => OperatorFunction<StreamElement<T, K>, StreamElement<T[], K>>;
