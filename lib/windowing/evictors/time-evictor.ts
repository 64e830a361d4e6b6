import { InvalidArgumentError } from '../../core/errors';
import type { Window } from '../windows/window';
import type { Evictor, TimestampedValue } from './evictor';

/**
 * Keeps the elements whose timestamp is within `windowSize` ms of the newest element's timestamp
 * (elements with `timestamp <= newest - windowSize` are evicted). Elements without timestamps are kept.
 *
 * ```text
 * TimeEvictor.of(10): elements at 1, 5, 12, 14 → keeps 5, 12, 14 (1 <= 14 - 10)
 * ```
 *
 * @example
 * ```ts
 * globalWindow({ trigger: CountTrigger.of(10), evictor: TimeEvictor.of(60_000) })
 * ```
 * @throws InvalidArgumentError when `windowSize` is not a non-negative number.
 * @see Flink's `TimeEvictor`
 */
export class TimeEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly windowSize: number,
    readonly doEvictAfter: boolean,
  ) {}
  static of<T = unknown, W extends Window = Window>(windowSize: number, doEvictAfter = false): TimeEvictor<T, W> {
    if (typeof windowSize !== 'number' || !Number.isFinite(windowSize) || windowSize < 0) {
      throw new InvalidArgumentError({ operator: 'TimeEvictor.of' }, 'windowSize', windowSize, 'must be a finite number of milliseconds >= 0');
    }
    return new TimeEvictor<T, W>(windowSize, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.evict(elements);
  }
  evictAfter(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    return this.doEvictAfter ? this.evict(elements) : elements;
  }
  private evict(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    let newest = -Infinity;
    for (const e of elements) if (e.timestamp !== undefined && e.timestamp > newest) newest = e.timestamp;
    if (newest === -Infinity) return elements;
    const cutoff = newest - this.windowSize;
    return elements.filter((e) => e.timestamp === undefined || e.timestamp > cutoff);
  }
}
