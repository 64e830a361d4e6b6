import type { OperatorFunction } from 'rxjs';
import { checkField, checkOptions } from '../core/validate';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { type FieldRef, numericField, rollingAggregate, withField, type RollingAggregateOptions } from './rolling-aggregate-internals';

/**
 * A rolling sum per key: for each record, emits the key's first record with `field` replaced by the sum
 * of that field over every record of the key so far.
 *
 * It's like RxJS's `scan((a, x) => a + x)` per group, but keyed and Flink-exact: the other fields stay
 * as in the key's first record (Flink's `KeyedStream.sum`). In batch mode only the final sum per key is
 * emitted, at the end of input.
 *
 * ```text
 * source (keyed by k):  --{k:a,n:1,t:x}--{k:b,n:5}--{k:a,n:2,t:y}--|
 * sum('n'):             --{k:a,n:1,t:x}--{k:b,n:5}--{k:a,n:3,t:x}--|
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(map((c) => ({ user: c.user, n: 1 })), keyBy((c) => c.user), sum('n'))
 * numbers$.pipe(keyBy((x) => x % 2), sum()) // a stream of plain numbers: no field
 * ```
 * @param field property name or tuple index; omit it for a stream of numbers.
 * @param options `ttl` (a `StateTtlConfig`) forgets a key whose last record came that long ago in processing
 * time, so its next record starts over; without it every key's state is kept until unsubscribe (as in Flink).
 * @throws NotKeyedError when the stream is not keyed; InvalidArgumentError when the field is not a number.
 * @see min, max, reduce, Flink's `KeyedStream.sum`
 */
export function sum<T, K = Key>(field?: FieldRef<T>, options?: RollingAggregateOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  checkOptions('sum', options);
  checkField({ operator: options?.name ?? 'sum', uid: options?.uid }, 'field', field);
  const f = field as string | number | undefined;
  return rollingAggregate<T, number | bigint, K>('sum', options, (origin) => ({
    init: (value) => numericField(origin, value, f),
    update: (s, value) => {
      s.acc = (s.acc as number) + (numericField(origin, value, f) as number);
    },
    result: (s) => withField(s.first, f, s.acc),
  }));
}
