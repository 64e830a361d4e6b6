import { NeverTrigger } from '../triggers/never-trigger';
import type { Trigger } from '../triggers/trigger';
import { GlobalWindow } from '../windows/global-window';
import type { WindowAssigner } from './window-assigner';

/**
 * Puts every element of a key into the one {@link GlobalWindow}. Its default trigger never fires: give a
 * count, delta or custom trigger.
 *
 * ```text
 * GlobalWindows.create() with CountTrigger.of(2):  a-b-c-d| → fires [a,b], [a,b,c,d]
 * ```
 *
 * @example
 * ```ts
 * window(GlobalWindows.create(), { trigger: PurgingTrigger.of(CountTrigger.of(100)) })
 * ```
 * @see Flink's `GlobalWindows`
 */
export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  readonly name = 'GlobalWindows';
  private static readonly instance = new GlobalWindows();
  private constructor() {}
  static create(): GlobalWindows {
    return GlobalWindows.instance;
  }
  assignWindows(): GlobalWindow[] {
    return [GlobalWindow.INSTANCE];
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return NeverTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
