import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';
import { type Trigger, type TriggerContext, TriggerResult } from './trigger';

/**
 * Fires a window once, at the end of input: it sets an event-time timer at the window's
 * `maxTimestamp()`, which for the global window only the end-of-input watermark reaches. The trigger of
 * `GlobalWindows.createWithEndOfStreamTrigger()`: one result per key over all of a bounded input.
 *
 * It's like Flink's `GlobalWindows.EndOfStreamTrigger`.
 *
 * ```text
 * globalWindow({ trigger: EndOfStreamTrigger.create() })
 * input (key k):  a--b--W(100)--c--|
 * output:         -----W(100)-----([a,b,c] M|)     (M = end-of-input watermark)
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(keyBy((e) => e.user), window(GlobalWindows.createWithEndOfStreamTrigger(), { aggregate: windowCount() }))
 * ```
 * @see GlobalWindows.createWithEndOfStreamTrigger, Flink's `GlobalWindows.EndOfStreamTrigger`
 */
export class EndOfStreamTrigger implements Trigger<unknown, Window> {
  readonly name = 'EndOfStreamTrigger';
  private static readonly instance = new EndOfStreamTrigger();
  private constructor() {}
  /** The trigger (it keeps no state of its own, so one instance serves every window). */
  static create(): EndOfStreamTrigger {
    return EndOfStreamTrigger.instance;
  }
  onElement(_e: unknown, _ts: Timestamp | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: Timestamp, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}
