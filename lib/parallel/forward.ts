import type { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { checkSameParallelism, partitionWith, pointwise, type PartitionedStream, type StreamPartitioner } from './stream-partitioner';

const FORWARD: StreamPartitioner = { name: 'forward', connects: pointwise, check: checkSameParallelism, selector: () => () => 0 };

/**
 * One to one: subtask i of the previous {@link parallel} stage feeds subtask i of the next; nothing is
 * redistributed, so the order of each subtask's records is kept. Both stages need the same parallelism
 * (a plain stream has parallelism 1).
 *
 * It's like Flink's `DataStream.forward()`.
 *
 * ```text
 * parallel(2, f), forward(), parallel(2, g):   f0 ──► g0     f1 ──► g1
 * ```
 *
 * @example
 * ```ts
 * source$.pipe(keyBy((e) => e.user), parallel(2, (s) => s.pipe(sum('n'))), forward(), parallel(2, (s) => s.pipe(map(format))))
 * ```
 * @throws ParallelismError (when the stage is subscribed) when the two parallelisms differ.
 * @see parallel, rescale, Flink's `ForwardPartitioner`
 */
export function forward<T>(): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  return partitionWith<T>(FORWARD);
}
