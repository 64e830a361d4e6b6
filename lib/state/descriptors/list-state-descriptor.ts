import { StateDescriptor } from './state-descriptor';

/** A list of values per key. @see Flink's `ListState` */
export interface ListState<T> {
  /** The values (a copy), empty when none. */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the list. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/**
 * Describes a {@link ListState}.
 * @example `const recent = ctx.getListState(new ListStateDescriptor<Click>('recent'));`
 * @see Flink's `ListStateDescriptor`
 */
export class ListStateDescriptor<T> extends StateDescriptor<ListState<T>> {
  readonly kind = 'list' as const;
}
