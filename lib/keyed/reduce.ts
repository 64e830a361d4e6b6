import type { OperatorFunction } from 'rxjs';
import type { OperatorOptions } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { rollingAggregate } from './rolling-aggregate-internals';

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
 * @throws NotKeyedError when the stream is not keyed; UserFunctionError when `fn` throws.
 * @see sum, Flink's `KeyedStream.reduce`
 */
export function reduce<T>(fn: ReduceFunction<T>, options?: OperatorOptions): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return rollingAggregate<T, { acc: T }>('reduce', options, () => ({
    create: (value) => ({ acc: value }),
    update: (s, value) => {
      s.acc = fn(s.acc, value);
      return s;
    },
    result: (s) => s.acc,
  }));
}
