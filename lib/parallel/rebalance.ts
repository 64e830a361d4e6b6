import type { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { partitionWith, roundRobin, type PartitionedStream, type StreamPartitioner } from './stream-partitioner';

const REBALANCE: StreamPartitioner = { name: 'rebalance', selector: roundRobin };

/**
 * Sends records round robin to the subtasks of the next {@link parallel} stage: even load whatever the
 * keys. The default (for records without a key) when the parallelism changes.
 *
 * It's like Flink's `DataStream.rebalance()`. Each upstream subtask keeps its own turn, starting at its
 * own index (Flink starts at a random channel; this keeps runs deterministic).
 *
 * ```text
 * input:                                   a-b-c-d-|
 * rebalance(), parallel(2, tag subtask):   a-b-c-d-(M|)    a = a0, b = b1, c = c0, d = d1 (x0: x went to subtask 0)
 * ```
 *
 * @example
 * ```ts
 * lines$.pipe(rebalance(), parallel(4, (s) => s.pipe(map(parseLine))))
 * ```
 * @see parallel, rescale, shuffle, Flink's `RebalancePartitioner`
 */
export function rebalance<T>(): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  return partitionWith<T>(REBALANCE);
}
