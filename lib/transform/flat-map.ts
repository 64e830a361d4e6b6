import type { OperatorFunction } from 'rxjs';
import { wrapUserError } from '../core/errors';
import { statelessStage } from './rich-stage-internals';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import type { Collector, Key } from '../core/types';
import { checkFunctionOrMethod, checkOptions } from '../core/validate';

/** A flatMap function with a lifecycle (Flink's `RichFlatMapFunction`). */
export interface RichFlatMapFunction<T, R> extends RichFunction {
  flatMap(value: T, out: Collector<R>): Iterable<R> | void;
}

/**
 * A flatMap function: returns an iterable of outputs, or emits them into the collector (or both).
 */
export type FlatMapFunction<T, R> = ((value: T, out: Collector<R>) => Iterable<R> | void) | RichFlatMapFunction<T, R>;

/**
 * Emits zero or more records per input record, each with the input's timestamp and key.
 *
 * It's like RxJS's `mergeMap` over synchronous arrays, but element-aware; the function may also emit
 * through a Flink-style collector.
 *
 * ```text
 * source:                      --a(1)------b(2)--|
 * flatMap(s => s.split(''))    --(xy)(1)---z(2)--|     (both x and y carry timestamp 1)
 * ```
 *
 * @example
 * ```ts
 * lines$.pipe(flatMap((line) => line.split(/\s+/)))
 * lines$.pipe(flatMap((line, out) => { for (const w of line.split(' ')) out.collect(w) }))
 * ```
 * @throws UserFunctionError (as an error notification) when `fn` throws.
 * @throws InvalidArgumentError (at call time) when `fn` is neither a function nor an object with `flatMap()`.
 * @see map, Flink's `FlatMapFunction`
 */
export function flatMap<T, R, K = Key>(fn: FlatMapFunction<T, R>, options?: OperatorOptions): OperatorFunction<StreamElement<T, K>, StreamElement<R, K>> {
  checkOptions('flatMap', options);
  checkFunctionOrMethod({ operator: options?.name ?? 'flatMap', uid: options?.uid }, 'fn', fn, 'flatMap', '(value, out) => iterable or void');
  const f = typeof fn === 'function' ? fn : (v: T, out: Collector<R>) => fn.flatMap(v, out);
  return statelessStage<T, R, K>('flatMap', options, typeof fn === 'function' ? undefined : fn, (next, origin) => {
    let timestamp: number | undefined;
    let key: unknown;
    const out: Collector<R> = { collect: (v) => next(v, timestamp, key as never) };
    return (value, ts, k) => {
      timestamp = ts;
      key = k;
      let result: Iterable<R> | void;
      try {
        result = f(value as T, out);
      } catch (err) {
        throw wrapUserError(origin, err);
      }
      if (result != null) for (const r of result) next(r, ts, k);
    };
  });
}
