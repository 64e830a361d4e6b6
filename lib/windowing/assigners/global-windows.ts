import { EndOfStreamTrigger } from '../triggers/end-of-stream-trigger';
import { NeverTrigger } from '../triggers/never-trigger';
import type { Trigger } from '../triggers/trigger';
import { GlobalWindow } from '../windows/global-window';
import type { WindowAssigner } from './window-assigner';

/**
 * Puts every element of a key into the one {@link GlobalWindow}. Its default trigger never fires: give a
 * count, delta or custom trigger, or use {@link GlobalWindows.createWithEndOfStreamTrigger} for one
 * result per key at the end of input.
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
  private static readonly instance = new GlobalWindows(false);
  private static readonly endOfStream = new GlobalWindows(true);
  private constructor(private readonly firesAtEndOfStream: boolean) {}
  /** The assigner whose default trigger never fires. */
  static create(): GlobalWindows {
    return GlobalWindows.instance;
  }
  /**
   * The assigner whose default trigger fires once, at the end of input ({@link EndOfStreamTrigger}): each
   * key's result over the whole bounded input.
   * @example `window(GlobalWindows.createWithEndOfStreamTrigger(), { aggregate: windowSum('n') })`
   */
  static createWithEndOfStreamTrigger(): GlobalWindows {
    return GlobalWindows.endOfStream;
  }
  assignWindows(): GlobalWindow[] {
    return [GlobalWindow.INSTANCE];
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return this.firesAtEndOfStream ? EndOfStreamTrigger.create() : NeverTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
