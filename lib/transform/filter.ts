import type { OperatorFunction } from 'rxjs';
import { wrapUserError } from '../core/errors';
import { statelessStage } from './rich-stage-internals';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { checkFunctionOrMethod, checkOptions } from '../core/validate';
import type { Key } from '../core/types';

/** A filter function with a lifecycle (Flink's `RichFilterFunction`). */
export interface RichFilterFunction<T> extends RichFunction {
  filter(value: T): boolean;
}

/** A predicate: plain, or rich with `open`/`close`. */
export type FilterFunction<T> = ((value: T) => boolean) | RichFilterFunction<T>;

/**
 * Keeps the records whose value satisfies the predicate; control elements pass through.
 *
 * It's like RxJS's `filter`, but element-aware: timestamps, keys and watermarks survive.
 *
 * ```text
 * source:            --a(1)--b(2)--W(5)--c(6)--|
 * filter(x => x!=b)  --a(1)--------W(5)--c(6)--|
 * ```
 *
 * A type-guard predicate narrows the output type, as with RxJS's `filter`:
 * `filter((e: NexmarkEvent): e is Bid => e.type === 'bid')` gives a stream of `Bid`.
 *
 * @example
 * ```ts
 * clicks$.pipe(filter((c) => c.url !== '/health'))
 * ```
 * @throws UserFunctionError (as an error notification) when the predicate throws.
 * @throws InvalidArgumentError (at call time) when `fn` is neither a function nor an object with `filter()`.
 * @see map, Flink's `FilterFunction`
 */
export function filter<T, S extends T, K = Key>(fn: (value: T) => value is S, options?: OperatorOptions): OperatorFunction<StreamElement<T, K>, StreamElement<S, K>>;
export function filter<T, K = Key>(fn: FilterFunction<T>, options?: OperatorOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>>;
export function filter<T, K = Key>(fn: FilterFunction<T>, options?: OperatorOptions): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  checkOptions('filter', options);
  checkFunctionOrMethod({ operator: options?.name ?? 'filter', uid: options?.uid }, 'fn', fn, 'filter', '(value) => boolean');
  const f = typeof fn === 'function' ? fn : (v: T) => fn.filter(v);
  return statelessStage<T, T, K>('filter', options, typeof fn === 'function' ? undefined : fn, (next, origin) => (value, timestamp, key) => {
    let keep: boolean;
    try {
      keep = f(value as T);
    } catch (err) {
      throw wrapUserError(origin, err);
    }
    if (keep) next(value, timestamp, key);
  });
}
