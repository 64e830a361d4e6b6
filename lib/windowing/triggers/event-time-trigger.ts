import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult } from './trigger';

/**
 * Fires a window once, when the watermark reaches its `maxTimestamp()` (`end - 1`); an element that
 * arrives after that (late, within the allowed lateness) fires it again at once. The default trigger of
 * event-time assigners.
 *
 * ```text
 * window [0, 10), elements at 2 and 5
 * input:   a(2)--b(5)--W(9)------c(3)--|      (allowed lateness 5)
 * fires:   ------------[a,b]-----[a,b,c]--
 * ```
 *
 * @example
 * ```ts
 * window(TumblingEventTimeWindows.of(10), { trigger: EventTimeTrigger.create() })
 * ```
 * @see Flink's `EventTimeTrigger`
 */
export class EventTimeTrigger implements Trigger<unknown, Window> {
  readonly name = 'EventTimeTrigger';
  private static readonly instance = new EventTimeTrigger();
  private constructor() {}
  static create(): EventTimeTrigger {
    return EventTimeTrigger.instance;
  }
  onElement(_e: unknown, _ts: Timestamp | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.currentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: Timestamp, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.currentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}
