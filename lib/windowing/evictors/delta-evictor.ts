import { InvalidArgumentError } from '../../core/errors';
import type { DeltaFunction } from '../triggers/delta-trigger';
import type { Window } from '../windows/window';
import type { Evictor, TimestampedValue } from './evictor';

/**
 * Evicts the elements whose distance (by `delta`) to the newest element is at least `threshold`.
 *
 * ```text
 * DeltaEvictor.of(6, (a, b) => Math.abs(b - a)): elements 1, 4, 8, 9 → keeps 4, 8, 9 (9 - 1 >= 6)
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: CountTrigger.of(5), evictor: DeltaEvictor.of(10, (a: Tick, b: Tick) => Math.abs(a.price - b.price)) })
 * ```
 * @throws InvalidArgumentError when `threshold` is not a number or `delta` not a function.
 * @see Flink's `DeltaEvictor`
 */
export class DeltaEvictor<T, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly threshold: number,
    readonly delta: DeltaFunction<T>,
    readonly doEvictAfter: boolean,
  ) {}
  static of<T, W extends Window = Window>(threshold: number, delta: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T, W> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new InvalidArgumentError({ operator: 'DeltaEvictor.of' }, 'threshold', threshold, 'must be a number');
    }
    if (typeof delta !== 'function') throw new InvalidArgumentError({ operator: 'DeltaEvictor.of' }, 'delta', delta, 'must be a function (a, b) => number');
    return new DeltaEvictor<T, W>(threshold, delta, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.evict(elements);
  }
  evictAfter(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    return this.doEvictAfter ? this.evict(elements) : elements;
  }
  private evict(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    const last = elements[elements.length - 1];
    if (last === undefined) return elements;
    return elements.filter((e) => this.delta(e.value, last.value) < this.threshold);
  }
}
