import type { OperatorFunction } from 'rxjs';
import { checkBoolean, checkField, checkOptions } from '../core/validate';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { comparableField, type FieldRef, rollingAggregate, type RollingAggregateOptions } from './rolling-aggregate-internals';

/**
 * A rolling "record with the maximum" per key: emits the whole record holding the largest `field` so
 * far. On ties the first such record wins, or the latest when `first` is false.
 *
 * It's like Flink's `KeyedStream.maxBy`.
 *
 * ```text
 * source (keyed by k):  --{k:a,n:1,t:x}--{k:a,n:3,t:y}--{k:a,n:3,t:z}--|
 * maxBy('n'):           --{k:a,n:1,t:x}--{k:a,n:3,t:y}--{k:a,n:3,t:y}--|
 * maxBy('n', false):    --{k:a,n:1,t:x}--{k:a,n:3,t:y}--{k:a,n:3,t:z}--|
 * ```
 *
 * @example
 * ```ts
 * trades$.pipe(keyBy((t) => t.symbol), maxBy('price'))
 * ```
 * @param options `ttl` (a `StateTtlConfig`) forgets a key whose last record came that long ago in processing
 * time, so its next record starts over; without it every key's state is kept until unsubscribe (as in Flink).
 * @throws NotKeyedError when the stream is not keyed; InvalidArgumentError when the field is not a
 * number, bigint or string.
 * @see minBy, max, Flink's `KeyedStream.maxBy`
 */
export function maxBy<T, K = Key>(field?: FieldRef<T>, first = true, options?: RollingAggregateOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  checkOptions('maxBy', options);
  checkField({ operator: options?.name ?? 'maxBy', uid: options?.uid }, 'field', field);
  checkBoolean({ operator: options?.name ?? 'maxBy', uid: options?.uid }, 'first', first, 'keep the first of equal records');
  const f = field as string | number | undefined;
  return rollingAggregate<T, number | bigint | string, K>('maxBy', options, (origin) => ({
    init: (value) => comparableField(origin, value, f),
    update: (s, value) => {
      const v = comparableField(origin, value, f);
      if (v > s.acc || (v === s.acc && !first)) {
        s.acc = v;
        s.first = value; // the record holding the extreme
      }
    },
    result: (s) => s.first,
  }));
}
