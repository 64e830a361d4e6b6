import type { AggregatingState, AggregatingStateDescriptor } from './descriptors/aggregating-state-descriptor';
import type { ListState, ListStateDescriptor } from './descriptors/list-state-descriptor';
import type { MapState, MapStateDescriptor } from './descriptors/map-state-descriptor';
import type { ReducingState, ReducingStateDescriptor } from './descriptors/reducing-state-descriptor';
import type { ValueState, ValueStateDescriptor } from './descriptors/value-state-descriptor';

/**
 * Where keyed state is obtained (the runtime context of a function on a keyed stream). Every handle acts
 * on the key of the record being processed.
 *
 * @example
 * ```ts
 * open(ctx) { this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0)) }
 * ```
 * @see Flink's `KeyedStateStore`
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}
