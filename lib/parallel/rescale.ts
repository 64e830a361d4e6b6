import type { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { partitionWith, pointwise, roundRobin, type PartitionedStream, type StreamPartitioner } from './stream-partitioner';

const RESCALE: StreamPartitioner = { name: 'rescale', connects: pointwise, selector: roundRobin };

/**
 * Round robin within a local group: each upstream subtask is connected to a contiguous group of the next
 * {@link parallel} stage's subtasks only (or, scaling down, a contiguous group of upstream subtasks feeds
 * each downstream subtask), and sends its records round robin over its group. Fewer channels than
 * {@link rebalance}: watermarks and barriers travel only inside a group.
 *
 * It's like Flink's `DataStream.rescale()` (the pointwise distribution pattern).
 *
 * ```text
 * upstream parallelism 2, downstream 4:
 *   upstream 0 ──► 0, 1      upstream 1 ──► 2, 3
 * upstream parallelism 4, downstream 2:
 *   upstreams 0, 1 ──► 0     upstreams 2, 3 ──► 1
 * ```
 *
 * @example
 * ```ts
 * source$.pipe(parallel(2, (s) => s.pipe(map(parse))), rescale(), parallel(4, (s) => s.pipe(map(enrich))))
 * ```
 * @see parallel, rebalance, Flink's `RescalePartitioner`
 */
export function rescale<T>(): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  return partitionWith<T>(RESCALE);
}
