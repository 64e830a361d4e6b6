import type { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { partitionWith, type PartitionedStream, type StreamPartitioner } from './stream-partitioner';

const GLOBAL: StreamPartitioner = { name: 'global', selector: () => () => 0 };

/**
 * Sends every record to subtask 0 of the next {@link parallel} stage (the other subtasks get watermarks,
 * statuses and barriers only, so they never hold event time back).
 *
 * It's like Flink's `DataStream.global()`.
 *
 * ```text
 * input:                                a-b-c-|
 * global(), parallel(3, tag subtask):    a-b-c-(M|)    a = a0, b = b0, c = c0
 * ```
 *
 * @example
 * ```ts
 * totals$.pipe(global(), parallel(2, (s) => s.pipe(map(report))))
 * ```
 * @see parallel, Flink's `GlobalPartitioner`
 */
export function global<T>(): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  return partitionWith<T>(GLOBAL);
}
