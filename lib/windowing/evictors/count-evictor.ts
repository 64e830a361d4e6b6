import { InvalidArgumentError } from '../../core/errors';
import type { Window } from '../windows/window';
import type { Evictor, TimestampedValue } from './evictor';

/**
 * Keeps at most the last `maxCount` elements of a window (before the function, or after it with
 * `doEvictAfter`).
 *
 * ```text
 * globalWindow + CountTrigger.of(1) + CountEvictor.of(2):  a-b-c| → [a], [a,b], [b,c]
 * ```
 *
 * @example
 * ```ts
 * countWindow(100, 10) // = GlobalWindows + CountEvictor.of(100) + CountTrigger.of(10)
 * ```
 * @throws InvalidArgumentError when `maxCount` is not a positive integer.
 * @see Flink's `CountEvictor`
 */
export class CountEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly maxCount: number,
    readonly doEvictAfter: boolean,
  ) {}
  static of<T = unknown, W extends Window = Window>(maxCount: number, doEvictAfter = false): CountEvictor<T, W> {
    if (!Number.isInteger(maxCount) || maxCount <= 0) {
      throw new InvalidArgumentError({ operator: 'CountEvictor.of' }, 'maxCount', maxCount, 'must be a positive integer');
    }
    return new CountEvictor<T, W>(maxCount, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<T>[], size: number): TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.evict(elements, size);
  }
  evictAfter(elements: TimestampedValue<T>[], size: number): TimestampedValue<T>[] {
    return this.doEvictAfter ? this.evict(elements, size) : elements;
  }
  private evict(elements: TimestampedValue<T>[], size: number): TimestampedValue<T>[] {
    return size <= this.maxCount ? elements : elements.slice(size - this.maxCount);
  }
}
