import { StateDescriptor } from './state-descriptor';

/** One value per key. @see Flink's `ValueState` */
export interface ValueState<T> {
  /** The value, or the descriptor's default (undefined) when none. */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/**
 * Describes a {@link ValueState}.
 *
 * @example
 * ```ts
 * const count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
 * count.update(count.value()! + 1);
 * ```
 * @see Flink's `ValueStateDescriptor`
 */
export class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>> {
  readonly kind = 'value' as const;
  constructor(
    name: string,
    /** Returned by `value()` when the key has no value. */
    readonly defaultValue?: T,
  ) {
    super(name);
  }
}
