import { GlobalWindows } from './assigners/global-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import { windowOperator } from './window-operator-internals';
import type { AnyWindowOperator, AnyWindowOptions, WindowOperatorSignatures } from './window-signatures';
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
export const globalWindow: WindowOperatorSignatures<'none', GlobalWindow, true> = (options?: AnyWindowOptions): AnyWindowOperator => {
  checkOptions('globalWindow', options);
  return windowOperator('globalWindow', GlobalWindows.create() as unknown as WindowAssigner<unknown, GlobalWindow>, options, true);
};
