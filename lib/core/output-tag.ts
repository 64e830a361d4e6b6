import { InvalidArgumentError } from './errors';

/**
 * Names a side output. Two tags are the same side output when their ids are equal.
 *
 * @example
 * ```ts
 * const late = new OutputTag<Click>('late-clicks');
 * ```
 * @throws InvalidArgumentError when `id` is not a non-empty string.
 * @see Flink's `OutputTag`
 */
export class OutputTag<T> {
  /** Phantom field carrying the element type; never set. */
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError({ operator: 'OutputTag' }, 'id', id, 'must be a non-empty string');
    }
  }
  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
