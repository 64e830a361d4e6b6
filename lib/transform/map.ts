import type { OperatorFunction } from 'rxjs';
import { wrapUserError } from '../core/errors';
import { statelessStage } from './rich-stage-internals';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { checkFunctionOrMethod, checkOptions } from '../core/validate';
import type { Key } from '../core/types';

/** A map function with a lifecycle (Flink's `RichMapFunction`). */
export interface RichMapFunction<T, R> extends RichFunction {
  map(value: T): R;
}

/** A map function: plain, or rich with `open`/`close`. */
export type MapFunction<T, R> = ((value: T) => R) | RichMapFunction<T, R>;

/**
 * Applies a function to every record's value, keeping its timestamp and key; control elements pass
 * through.
 *
 * It's like RxJS's `map`, but element-aware: timestamps, keys, watermarks and side outputs survive.
 *
 * ```text
 * source:        --a(1)--b(2)--W(5)--|
 * map(x => x*10) --A(1)--B(2)--W(5)--|     (record value(timestamp), W = watermark)
 * ```
 *
 * Consecutive `map`/`filter`/`flatMap`/`keyBy` calls fuse into one subscriber that allocates at most one
 * record per output.
 *
 * @example
 * ```ts
 * clicks$.pipe(assignWatermarks(strategy), map((c) => c.url), values())
 * ```
 * @param fn the function, or a rich function object with `map`, `open` and `close`.
 * @param options uid and name (used in error messages).
 * @throws UserFunctionError (as an error notification) when `fn` throws.
 * @throws InvalidArgumentError (at call time) when `fn` is neither a function nor an object with `map()`.
 * @see filter, flatMap, Flink's `MapFunction`
 */
export function map<T, R, K = Key>(fn: MapFunction<T, R>, options?: OperatorOptions): OperatorFunction<StreamElement<T, K>, StreamElement<R, K>> {
  checkOptions('map', options);
  checkFunctionOrMethod({ operator: options?.name ?? 'map', uid: options?.uid }, 'fn', fn, 'map', '(value) => result');
  const f = typeof fn === 'function' ? fn : (v: T) => fn.map(v);
  return statelessStage<T, R, K>('map', options, typeof fn === 'function' ? undefined : fn, (next, origin) => (value, timestamp, key) => {
    let out: R;
    try {
      out = f(value as T);
    } catch (err) {
      throw wrapUserError(origin, err);
    }
    next(out, timestamp, key);
  });
}
