import { InvalidArgumentError } from '../../core/errors';
import type { StateTtlConfig } from '../ttl';

/** The kinds of keyed state. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/**
 * Names a piece of keyed state and its kind; state is scoped to the current key. A name can be
 * registered once per operator, with one kind.
 * @see Flink's `StateDescriptor`
 */
export abstract class StateDescriptor<S> {
  /** Phantom: the state handle type. */
  declare readonly __state?: S;
  abstract readonly kind: StateKind;
  ttlConfig: StateTtlConfig | undefined = undefined;

  constructor(readonly name: string) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError({ operator: 'StateDescriptor' }, 'name', name, 'must be a non-empty string');
    }
  }

  /** Gives the state a time to live. @example `desc.enableTimeToLive(StateTtlConfig.newBuilder(60_000).build())` */
  enableTimeToLive(ttl: StateTtlConfig): this {
    this.ttlConfig = ttl;
    return this;
  }
}
