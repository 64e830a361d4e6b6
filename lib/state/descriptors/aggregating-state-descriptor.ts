import { InvalidArgumentError } from '../../core/errors';
import type { AggregateFunction } from '../../windowing/functions/window-functions';
import { StateDescriptor } from './state-descriptor';

/** A value per key that added values are aggregated into. @see Flink's `AggregatingState` */
export interface AggregatingState<IN, OUT> {
  /** The aggregate's result, or undefined when nothing was added. */
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/**
 * Describes an {@link AggregatingState} with an aggregate function.
 * @example `ctx.getAggregatingState(new AggregatingStateDescriptor('avg', averageFn))`
 * @see Flink's `AggregatingStateDescriptor`
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<AggregatingState<IN, OUT>> {
  readonly kind = 'aggregating' as const;
  constructor(
    name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(name);
    if (aggregate === null || typeof aggregate !== 'object' || typeof aggregate.add !== 'function') {
      throw new InvalidArgumentError({ operator: 'AggregatingStateDescriptor' }, 'aggregate', aggregate, 'must be an AggregateFunction');
    }
  }
}
