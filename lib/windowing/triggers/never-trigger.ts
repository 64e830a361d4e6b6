import type { Window } from '../windows/window';
import { type Trigger, TriggerResult } from './trigger';

/**
 * Never fires: the default trigger of the global window (give it a count or custom trigger).
 *
 * @example
 * ```ts
 * globalWindow({ trigger: CountTrigger.of(100) }) // instead of the NeverTrigger default
 * ```
 * @see Flink's `GlobalWindows.NeverTrigger`
 */
export class NeverTrigger implements Trigger<unknown, Window> {
  readonly name = 'NeverTrigger';
  private static readonly instance = new NeverTrigger();
  private constructor() {}
  static create(): NeverTrigger {
    return NeverTrigger.instance;
  }
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(): void {}
  clear(): void {}
}
