import { Observable } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';

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
 * @param descriptors the broadcast states, at least one.
 * @throws InvalidArgumentError when no descriptor is given or one is not a `MapStateDescriptor`.
 * @see connect, broadcastProcess, keyedBroadcastProcess, Flink's `BroadcastStream`
 */
export function broadcast<T>(...descriptors: MapStateDescriptor<any, any>[]): (source: Observable<StreamElement<T>>) => BroadcastStream<T> {
  const origin = { operator: 'broadcast' };
  if (descriptors.length === 0) {
    throw new InvalidArgumentError(origin, 'descriptors', descriptors, 'must hold at least one MapStateDescriptor (the broadcast state)');
  }
  for (const d of descriptors) {
    if (!(d instanceof MapStateDescriptor)) throw new InvalidArgumentError(origin, 'descriptors', d, 'must all be MapStateDescriptor instances');
  }
  return (source) => new BroadcastStream<T>(source, descriptors as MapStateDescriptor<unknown, unknown>[]);
}
