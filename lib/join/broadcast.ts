import { Observable } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import { broadcastPartitioner } from '../parallel/broadcast-partitioner';
import { partitionWith, type PartitionedStream } from '../parallel/stream-partitioner';

/**
 * A stream whose every record reaches every parallel instance of the operator it is connected to, with
 * the map-state descriptors of the broadcast state that operator keeps. Subscribing to it yields the
 * source's elements unchanged; connect it to another stream with `connect` and process the pair with
 * `broadcastProcess` or `keyedBroadcastProcess`.
 *
 * @see broadcast, Flink's `BroadcastStream`
 */
export class BroadcastStream<T> extends Observable<StreamElement<T>> {
  constructor(
    readonly input: Observable<StreamElement<T>>,
    readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    super((subscriber) => input.subscribe(subscriber));
  }
}

/**
 * Declares a stream as broadcast, with the broadcast state its consumer keeps (one map per descriptor).
 *
 * It's like Flink's `DataStream.broadcast(MapStateDescriptor...)`: rules, configuration or thresholds
 * that every parallel instance of the consumer must see, stored in broadcast state that only the
 * broadcast side may change.
 *
 * ```text
 * rules:                          a-W|    a(1), W = W(5)
 * rules.pipe(broadcast(limitDesc)) a-W|    (the elements pass unchanged)
 * ```
 *
 * @example
 * ```ts
 * const rulesDesc = new MapStateDescriptor<string, Rule>('rules');
 * const rules = rules$.pipe(broadcast(rulesDesc));
 * events$.pipe(keyBy((e) => e.sensor), connect(rules), keyedBroadcastProcess({ ... }))
 * ```
 * Without descriptors, `broadcast()` is the partitioner of the same name (Flink's `DataStream.broadcast()`):
 * before a `parallel` stage, every record goes to every subtask (docs/parallelism.md).
 *
 * @param descriptors the broadcast states.
 * @throws InvalidArgumentError when a descriptor is not a `MapStateDescriptor`.
 * @see connect, broadcastProcess, keyedBroadcastProcess, Flink's `BroadcastStream`
 */
export function broadcast<T>(): (source: Observable<StreamElement<T>>) => PartitionedStream<T>;
export function broadcast<T>(...descriptors: [MapStateDescriptor<any, any>, ...MapStateDescriptor<any, any>[]]): (source: Observable<StreamElement<T>>) => BroadcastStream<T>;
export function broadcast<T>(...descriptors: MapStateDescriptor<any, any>[]): (source: Observable<StreamElement<T>>) => BroadcastStream<T> | PartitionedStream<T> {
  const origin = { operator: 'broadcast' };
  // without descriptors: Flink's DataStream.broadcast(), the partitioner (every record to every subtask)
  if (descriptors.length === 0) return partitionWith<T>(broadcastPartitioner);
  for (const d of descriptors) {
    if (!(d instanceof MapStateDescriptor)) throw new InvalidArgumentError(origin, 'descriptors', d, 'must all be MapStateDescriptor instances');
  }
  return (source) => new BroadcastStream<T>(source, descriptors as MapStateDescriptor<unknown, unknown>[]);
}
