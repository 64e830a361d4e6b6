import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult } from './trigger';
import { checkMethods } from '../../core/validate';

const purging = (r: TriggerResult): TriggerResult => (r === TriggerResult.FIRE ? TriggerResult.FIRE_AND_PURGE : r);

/**
 * Wraps a trigger so that every firing also purges the window's contents.
 *
 * ```text
 * PurgingTrigger.of(CountTrigger.of(2)):  a-b-c-d|  → fires [a,b], then [c,d]
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: PurgingTrigger.of(CountTrigger.of(3)) })
 * ```
 * @see Flink's `PurgingTrigger`
 */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  readonly name: string;
  private constructor(readonly nested: Trigger<T, W>) {
    this.name = `PurgingTrigger(${nested.name ?? 'trigger'})`;
  }
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    checkMethods({ operator: 'PurgingTrigger.of' }, 'nested', nested, ['onElement', 'onEventTime', 'onProcessingTime', 'clear']);
    return new PurgingTrigger(nested);
  }
  onElement(e: T, ts: Timestamp | undefined, w: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(e, ts, w, ctx));
  }
  onEventTime(t: Timestamp, w: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(t, w, ctx));
  }
  onProcessingTime(t: Timestamp, w: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(t, w, ctx));
  }
  canMerge(): boolean {
    return this.nested.canMerge?.() ?? false;
  }
  onMerge(w: W, ctx: OnMergeContext): void {
    this.nested.onMerge?.(w, ctx);
  }
  clear(w: W, ctx: TriggerContext): void {
    this.nested.clear(w, ctx);
  }
}
