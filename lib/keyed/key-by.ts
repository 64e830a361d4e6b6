import type { OperatorFunction } from 'rxjs';
import { type ErrorOrigin, InvalidKeyError } from '../core/errors';
import { FusedStream, type RecordSink } from '../core/operate-elements';
import type { OperatorOptions } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { type KeySerializer, validateKey } from './key-group';
import { checkFunction, checkOptions } from '../core/validate';

/** Options of {@link keyBy}. */
export interface KeyByOptions<K> extends OperatorOptions {
  /** Turns a key that is not a primitive (or array of primitives) into a string key. */
  keySerializer?: KeySerializer<K>;
}

/**
 * Partitions the stream by key: sets every record's key to `selector(value)`. Keyed operators
 * (`sum`, `reduce`, windows, `keyedProcess`, ...) keep one state per key.
 *
 * It's like RxJS's `groupBy`, but it does not split the stream: one subscription, and keyed operators
 * keep one `Map` from key to state. Flink's `keyBy`.
 *
 * ```text
 * source:              --a(1)--b(2)--|
 * keyBy(v => v.user)   --a(1)[ann]--b(2)[bob]--|     (record value(timestamp)[key])
 * ```
 *
 * Keys are strings, numbers, booleans, bigints or arrays of those. `keyBy` followed by a keyed operator
 * computes the key inside that operator with no intermediate record. The key's type is what the selector
 * returns (a string with a `keySerializer`), and keyed operators downstream hand it to their functions
 * with that type (`(url, ctx, ...) =>` in a window function gets `url: string`).
 *
 * @example
 * ```ts
 * clicks$.pipe(keyBy((c) => c.user), sum('count'))
 * ```
 * @throws InvalidArgumentError (at call time) when `selector` (or `keySerializer`) is not a function.
 * @throws InvalidKeyError (as an error notification) when the selector returns an object, null,
 * undefined or NaN and no `keySerializer` is given.
 * @see Flink's `DataStream.keyBy`
 */
export function keyBy<T, K extends Key>(
  selector: (value: T) => K,
  options?: KeyByOptions<K> & { keySerializer?: undefined },
): OperatorFunction<StreamElement<T, unknown>, StreamElement<T, K>>;
export function keyBy<T, K>(
  selector: (value: T) => K,
  options: KeyByOptions<K> & { keySerializer: KeySerializer<K> },
): OperatorFunction<StreamElement<T, unknown>, StreamElement<T, string>>;
export function keyBy<T, K>(selector: (value: T) => K, options?: KeyByOptions<K>): OperatorFunction<StreamElement<T, unknown>, StreamElement<T, Key>>;
export function keyBy<T, K>(
  selector: (value: T) => K,
  options?: KeyByOptions<K>,
): OperatorFunction<StreamElement<T, unknown>, StreamElement<T, Key>> {
  const name = options?.name ?? 'keyBy';
  checkOptions('keyBy', options);
  const origin: ErrorOrigin = { operator: name, uid: options?.uid };
  checkFunction(origin, 'selector', selector, '(value) => key');
  const serializer = options?.keySerializer;
  if (serializer !== undefined) checkFunction(origin, 'keySerializer', serializer, '(key) => string');
  return (source) =>
    FusedStream.append<T>(source, {
      name,
      options,
      link(next: RecordSink<unknown>): RecordSink<unknown> {
        return (value, timestamp) => {
          let key: unknown;
          try {
            key = selector(value as T);
            if (serializer !== undefined) key = serializer(key as K);
          } catch (err) {
            throw new InvalidKeyError(origin, value, `the key selector threw: ${err instanceof Error ? err.message : String(err)}`);
          }
          validateKey(origin, key);
          next(value, timestamp, key);
        };
      },
    });
}
