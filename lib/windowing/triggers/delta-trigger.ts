import { InvalidArgumentError } from '../../core/errors';
import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';
import { type Trigger, type TriggerContext, TriggerResult, type TriggerStateDescriptor } from './trigger';

/** The distance between two elements, for delta triggers and evictors. */
export type DeltaFunction<T> = (oldElement: T, newElement: T) => number;

const LAST: TriggerStateDescriptor<unknown> = { name: 'delta-last' };

/**
 * Fires when an element is more than `threshold` away (by `delta`) from the element at the last firing
 * (the first element, or `initial`, to begin with).
 *
 * ```text
 * DeltaTrigger.of(5, (a, b) => b - a):  1-3-7-8-13|  → fires at 7 (7-1 > 5) and at 13 (13-7 > 5)
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: DeltaTrigger.of(10, (a: Tick, b: Tick) => Math.abs(b.price - a.price)) })
 * ```
 * @throws InvalidArgumentError when `threshold` is not a number or `delta` not a function.
 * @see Flink's `DeltaTrigger`
 */
export class DeltaTrigger<T, W extends Window = Window> implements Trigger<T, W> {
  readonly name = 'DeltaTrigger';
  private constructor(
    readonly threshold: number,
    readonly delta: DeltaFunction<T>,
    readonly initial: T | undefined,
  ) {}
  static of<T, W extends Window = Window>(threshold: number, delta: DeltaFunction<T>, initial?: T): DeltaTrigger<T, W> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new InvalidArgumentError({ operator: 'DeltaTrigger.of' }, 'threshold', threshold, 'must be a number');
    }
    if (typeof delta !== 'function') throw new InvalidArgumentError({ operator: 'DeltaTrigger.of' }, 'delta', delta, 'must be a function (old, new) => number');
    return new DeltaTrigger<T, W>(threshold, delta, initial);
  }
  onElement(e: T, _ts: Timestamp | undefined, _w: W, ctx: TriggerContext): TriggerResult {
    const last = ctx.getPartitionedState(LAST as TriggerStateDescriptor<T>);
    const previous = last.get() ?? this.initial;
    if (previous === undefined) {
      last.set(e);
      return TriggerResult.CONTINUE;
    }
    if (this.delta(previous, e) > this.threshold) {
      last.set(e);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_w: W, ctx: TriggerContext): void {
    ctx.getPartitionedState(LAST).clear();
  }
}
