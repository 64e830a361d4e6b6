import type { Observable } from 'rxjs';
import { UserFunctionError, TidemarkError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { checkFunction } from '../core/validate';
import { checkChannel, partitionWith, type PartitionedStream } from './stream-partitioner';

/**
 * Picks a partition for a key: an integer in `[0, numPartitions)`.
 * @see Flink's `Partitioner`
 */
export type Partitioner<K> = (key: K, numPartitions: number) => number;

/**
 * Sends each record to the subtask of the next {@link parallel} stage that `partitioner` picks for the key
 * `keySelector` extracts. An index outside `[0, parallelism)` fails the stream with a `PartitionerError`.
 *
 * It's like Flink's `DataStream.partitionCustom(partitioner, keySelector)`. Unlike `keyBy`, the record is
 * not keyed: keyed state still needs `keyBy`.
 *
 * ```text
 * input:                                                                   a-b-c-|        a = {id: 1}, b = {id: 2}, c = {id: 3}
 * partitionCustom((id, n) => id % n, (v) => v.id), parallel(2, tag subtask):   a-b-c-(M|)     a = 11, b = 20, c = 31
 * ```
 *
 * @example
 * ```ts
 * orders$.pipe(partitionCustom((region: string, n) => (region === 'eu' ? 0 : 1 % n), (o) => o.region), parallel(2, (s) => s.pipe(map(price))))
 * ```
 * @throws InvalidArgumentError when `partitioner` or `keySelector` is not a function.
 * @see parallel, Flink's `DataStream.partitionCustom`
 */
export function partitionCustom<T, K>(partitioner: Partitioner<K>, keySelector: (value: T) => K): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  const origin = { operator: 'partitionCustom' };
  checkFunction(origin, 'partitioner', partitioner, '(key, numPartitions) => number');
  checkFunction(origin, 'keySelector', keySelector, '(value) => key');
  return partitionWith<T>({
    name: 'partitionCustom',
    selector(ctx) {
      const n = ctx.targets.length;
      return (value) => {
        let c: number;
        try {
          c = partitioner(keySelector(value as T), n);
        } catch (err) {
          throw err instanceof TidemarkError ? err : new UserFunctionError(origin, err);
        }
        return checkChannel(origin, c, n);
      };
    },
  });
}
