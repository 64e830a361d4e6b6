import { InvalidArgumentError } from '../../core/errors';
import type { Window } from '../windows/window';
import { type OnMergeContext, type Trigger, type TriggerContext, TriggerResult, type TriggerStateDescriptor } from './trigger';

const COUNT: TriggerStateDescriptor<number> = { name: 'count', merge: (a, b) => a + b };

/**
 * Fires every `maxCount` elements of a window (the count restarts after each firing).
 *
 * ```text
 * CountTrigger.of(2):  a-b-c-d-e|  → fires after b ([a,b]) and after d ([a,b,c,d], or [c,d] when purging)
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: PurgingTrigger.of(CountTrigger.of(100)) })
 * ```
 * @throws InvalidArgumentError when `maxCount` is not a positive integer.
 * @see Flink's `CountTrigger`
 */
export class CountTrigger<W extends Window = Window> implements Trigger<unknown, W> {
  readonly name: string;
  private constructor(readonly maxCount: number) {
    this.name = `CountTrigger(${maxCount})`;
  }
  static of<W extends Window = Window>(maxCount: number): CountTrigger<W> {
    if (!Number.isInteger(maxCount) || maxCount <= 0) {
      throw new InvalidArgumentError({ operator: 'CountTrigger.of' }, 'maxCount', maxCount, 'must be a positive integer');
    }
    return new CountTrigger<W>(maxCount);
  }
  onElement(_e: unknown, _ts: number | undefined, _w: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(COUNT);
    const n = (count.get() ?? 0) + 1;
    if (n >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    count.set(n);
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
  onMerge(_w: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(COUNT);
  }
  clear(_w: W, ctx: TriggerContext): void {
    ctx.getPartitionedState(COUNT).clear();
  }
}
