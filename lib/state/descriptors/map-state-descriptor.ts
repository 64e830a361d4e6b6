import { StateDescriptor } from './state-descriptor';

/** A map per key. @see Flink's `MapState` */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): Array<[K, V]>;
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

/**
 * Describes a {@link MapState} (map keys are compared as in a JS `Map`).
 * @example `const perUrl = ctx.getMapState(new MapStateDescriptor<string, number>('per-url'));`
 * @see Flink's `MapStateDescriptor`
 */
export class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>> {
  readonly kind = 'map' as const;
}
