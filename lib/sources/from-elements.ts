import type { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { fromCollection } from './from-collection';

/**
 * A bounded source of the given values (start element, values, end-of-input watermark).
 *
 * It's like RxJS's `of(...values)`, but as a tidemark source (see {@link fromCollection}).
 *
 * ```text
 * fromElements(a, b, c)   S(abcM|)
 * ```
 *
 * @example
 * ```ts
 * fromElements(1, 2, 3).pipe(map((x) => x * 2), values())
 * ```
 * @see fromCollection, Flink's `fromElements`
 */
export function fromElements<T>(...values: T[]): Observable<StreamElement<T>> {
  return fromCollection(values);
}
