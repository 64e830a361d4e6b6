import { InvalidArgumentError } from '../../core/errors';
import { StateDescriptor } from './state-descriptor';

/** A value per key that added values are reduced into. @see Flink's `ReducingState` */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/**
 * Describes a {@link ReducingState}.
 * @example `const total = ctx.getReducingState(new ReducingStateDescriptor<number>('total', (a, b) => a + b));`
 * @see Flink's `ReducingStateDescriptor`
 */
export class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>> {
  readonly kind = 'reducing' as const;
  constructor(
    name: string,
    readonly reduce: (a: T, b: T) => T,
  ) {
    super(name);
    if (typeof reduce !== 'function') throw new InvalidArgumentError({ operator: 'ReducingStateDescriptor' }, 'reduce', reduce, 'must be a function (a, b) => value');
  }
}
