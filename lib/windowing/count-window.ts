import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { GlobalWindows } from './assigners/global-windows';
import { CountEvictor } from './evictors/count-evictor';
import { CountTrigger } from './triggers/count-trigger';
import { PurgingTrigger } from './triggers/purging-trigger';
import { window } from './window';
import type { WindowOptions, WindowResult } from './window-operator-internals';
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
export function countWindow<T, O extends WindowOptions<T, any, Key, GlobalWindow> = WindowOptions<T, T[], Key, GlobalWindow>>(
  size: number,
  slide?: number,
  options?: O,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('countWindow', options); // a non-object would vanish in the spread below
  if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError({ operator: 'countWindow' }, 'size', size, 'must be a positive integer');
  if (slide !== undefined && (!Number.isInteger(slide) || slide <= 0)) {
    throw new InvalidArgumentError({ operator: 'countWindow' }, 'slide', slide, 'must be a positive integer');
  }
  const assigner = GlobalWindows.create() as unknown as import('./assigners/window-assigner').WindowAssigner<T, GlobalWindow>;
  if (slide === undefined) {
    return window<T, GlobalWindow, O>(assigner, { name: 'countWindow', ...options, trigger: PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)) } as unknown as O);
  }
  return window<T, GlobalWindow, O>(assigner, {
    name: 'countWindow',
    ...options,
    evictor: CountEvictor.of<T, GlobalWindow>(size),
    trigger: CountTrigger.of<GlobalWindow>(slide),
  } as unknown as O);
}
