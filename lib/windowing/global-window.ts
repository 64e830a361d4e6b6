import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { GlobalWindows } from './assigners/global-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import { window } from './window';
import type { WindowOptions, WindowResult } from './window-operator-internals';
import type { GlobalWindow } from './windows/global-window';
import { checkOptions } from '../core/validate';

/**
 * Keyed global window: all elements of a key in one window that fires only by the trigger you give
 * (the default trigger never fires).
 *
 * ```text
 * globalWindow({ trigger: CountTrigger.of(2) }):  a-b-c-d| → [a,b] [a,b,c,d]
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(keyBy((e) => e.user), globalWindow({ trigger: DeltaTrigger.of(100, (a, b) => b.total - a.total) }))
 * ```
 * @see window, GlobalWindows
 */
export function globalWindow<T, O extends WindowOptions<T, any, Key, GlobalWindow> = WindowOptions<T, T[], Key, GlobalWindow>>(
  options?: O,
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<T, O>>> {
  checkOptions('globalWindow', options); // a non-object would vanish in the spread below
  return window<T, GlobalWindow, O>(GlobalWindows.create() as unknown as WindowAssigner<T, GlobalWindow>, { name: 'globalWindow', ...options } as O);
}
