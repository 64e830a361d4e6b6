import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult } from './trigger';

/**
 * Fires a window when processing time (the operator's scheduler) reaches its `maxTimestamp()`. The
 * default trigger of processing-time assigners.
 *
 * ```text
 * tumblingProcessingWindow(10): elements at frames 2 and 5 → one firing at frame 9
 * ```
 *
 * @example
 * ```ts
 * window(TumblingProcessingTimeWindows.of(1000), { trigger: ProcessingTimeTrigger.create() })
 * ```
 * @see Flink's `ProcessingTimeTrigger`
 */
export class ProcessingTimeTrigger implements Trigger<unknown, Window> {
  readonly name = 'ProcessingTimeTrigger';
  private static readonly instance = new ProcessingTimeTrigger();
  private constructor() {}
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.instance;
  }
  onElement(_e: unknown, _ts: Timestamp | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.currentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
}
