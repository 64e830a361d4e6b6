import type { OperatorFunction } from 'rxjs';
import { checkField, checkOptions } from '../core/validate';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { comparableField, type FieldRef, rollingAggregate, withField, type RollingAggregateOptions } from './rolling-aggregate-internals';

/**
 * A rolling minimum of one field per key: emits the key's first record with `field` replaced by the
 * smallest value seen so far. The other fields stay as in the first record; use {@link minBy} for the
 * whole record holding the minimum.
 *
 * It's like Flink's `KeyedStream.min`.
 *
 * ```text
 * source (keyed by k):  --{k:a,n:3,t:x}--{k:a,n:1,t:y}--{k:a,n:2,t:z}--|
 * min('n'):             --{k:a,n:3,t:x}--{k:a,n:1,t:x}--{k:a,n:1,t:x}--|
 * ```
 *
 * @example
 * ```ts
 * readings$.pipe(keyBy((r) => r.sensor), min('celsius'))
 * ```
 * @param options `ttl` (a `StateTtlConfig`) forgets a key whose last record came that long ago in processing
 * time, so its next record starts over; without it every key's state is kept until unsubscribe (as in Flink).
 * @throws NotKeyedError when the stream is not keyed; InvalidArgumentError when the field is not a
 * number, bigint or string.
 * @see max, minBy, Flink's `KeyedStream.min`
 */
export function min<T, K = Key>(field?: FieldRef<T>, options?: RollingAggregateOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  checkOptions('min', options);
  checkField({ operator: options?.name ?? 'min', uid: options?.uid }, 'field', field);
  const f = field as string | number | undefined;
  return rollingAggregate<T, number | bigint | string, K>('min', options, (origin) => ({
    init: (value) => comparableField(origin, value, f),
    update: (s, value) => {
      const v = comparableField(origin, value, f);
      if (v <= s.acc) s.acc = v;
    },
    result: (s) => withField(s.first, f, s.acc),
  }));
}
