import type { OperatorFunction } from 'rxjs';
import { checkFunction, checkOptions } from '../core/validate';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { rollingAggregate, type RollingAggregateOptions } from './rolling-aggregate-internals';

/** Combines the key's aggregate so far with the next value (Flink's `ReduceFunction`). */
export type ReduceFunction<T> = (accumulator: T, value: T) => T;

/**
 * A rolling reduce per key: the first record of a key is emitted as is; every later one is combined
 * with the aggregate so far by `fn`, and the result emitted.
 *
 * It's like RxJS's `scan` per group, as Flink's `KeyedStream.reduce`. In batch mode only the final
 * aggregate per key is emitted, at the end of input.
 *
 * ```text
 * source (keyed by parity):  --1--2--3--4--|
 * reduce((a, b) => a + b):   --1--2--4--6--|
 * ```
 *
 * @example
 * ```ts
 * orders$.pipe(keyBy((o) => o.customer), reduce((a, b) => ({ ...a, total: a.total + b.total })))
 * ```
 * @param options `ttl` (a `StateTtlConfig`) forgets a key whose last record came that long ago in processing
 * time, so its next record starts over; without it every key's state is kept until unsubscribe (as in Flink).
 * @throws NotKeyedError when the stream is not keyed; UserFunctionError when `fn` throws.
 * @throws InvalidArgumentError (at call time) when `fn` is not a function.
 * @see sum, Flink's `KeyedStream.reduce`
 */
export function reduce<T, K = Key>(fn: ReduceFunction<T>, options?: RollingAggregateOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  checkOptions('reduce', options);
  checkFunction({ operator: options?.name ?? 'reduce', uid: options?.uid }, 'fn', fn, '(accumulated, value) => accumulated');
  // the aggregate lives in the state's record slot: nothing else is kept per key
  return rollingAggregate<T, undefined, K>('reduce', options, () => ({
    init: () => undefined,
    update: (s, value) => {
      s.first = fn(s.first, value);
    },
    result: (s) => s.first,
  }));
}
