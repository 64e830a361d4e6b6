import type { OperatorFunction } from 'rxjs';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { toElement } from '../core/stream-record';
import { coOperator } from './co-operator-internals';
import { checkMethods } from '../core/validate';
import type { TaggedValue } from './tagged-union-internals';

/**
 * A co-map function with a lifecycle (Flink's `RichCoMapFunction`): `map1` for the first input, `map2`
 * for the second; on keyed inputs the runtime context gives keyed state scoped to each record's key. It
 * may also implement `CheckpointedFunction` to keep operator state.
 */
export interface RichCoMapFunction<L, R, O> extends RichFunction {
  map1(value: L): O;
  map2(value: R): O;
}

/**
 * Maps each record of two connected streams to one output: with `map1` when it came from the first
 * input, `map2` when from the second. Outputs keep the input record's timestamp and key.
 *
 * It's like Flink's `ConnectedStreams.map(CoMapFunction)`; with RxJS you would `merge` two mapped
 * streams, but here the watermark is the minimum of both inputs and the two functions can share state.
 *
 * ```text
 * first:                         --a--------W---|     a(1), W = W(4)
 * second:                        -----x--------V-|    x = 2 at 2, V = W(6)
 * connect(second), coMap(up, n)  --A--X--------WV(M|) A = "A"(1), X = "#2"(2); W(4) waits for V; when
 *                                                     the first input completes, W(6) is the minimum
 * ```
 *
 * @example
 * ```ts
 * celsius$.pipe(connect(fahrenheit$), coMap((c: number) => c, (f: number) => ((f - 32) * 5) / 9))
 * ```
 * @param map1 maps a record of the first input (or a {@link RichCoMapFunction} holding both).
 * @param map2 maps a record of the second input.
 * @throws InvalidArgumentError when the functions are missing; UserFunctionError (as an error
 * notification) when one throws; InvalidArgumentError (as an error notification) when the source is not
 * `connect(other)`'s output.
 * @see connect, coFlatMap, coProcess, Flink's `CoMapFunction`
 */
export function coMap<L, R, O>(map1: (value: L) => O, map2: (value: R) => O, options?: OperatorOptions): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>>;
export function coMap<L, R, O>(fn: RichCoMapFunction<L, R, O>, options?: OperatorOptions): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>>;
export function coMap<L, R, O>(
  a: ((value: L) => O) | RichCoMapFunction<L, R, O>,
  b?: ((value: R) => O) | OperatorOptions,
  c?: OperatorOptions,
): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const rich = typeof a === 'function' ? undefined : a;
  const options = rich === undefined ? c : (b as OperatorOptions | undefined);
  const name = options?.name ?? 'coMap';
  const origin = { operator: name, uid: options?.uid };
  let f1: (value: L) => O;
  let f2: (value: R) => O;
  if (rich === undefined) {
    checkMethods(origin, 'map1 and map2', { map1: a, map2: b }, ['map1', 'map2']);
    f1 = a as (value: L) => O;
    f2 = b as (value: R) => O;
  } else {
    checkMethods(origin, 'fn', rich, ['map1', 'map2']);
    f1 = (v) => rich.map1(v);
    f2 = (v) => rich.map2(v);
  }
  return coOperator<L, R, O>({
    name,
    kind: 'coMap',
    options,
    fns: rich === undefined ? [] : [rich],
    keyedState: rich !== undefined,
    timers: false,
    broadcast: false,
    build: ({ destination }) => ({
      first: (v, ts, key) => destination.next(toElement(f1(v), ts, key)),
      second: (v, ts, key) => destination.next(toElement(f2(v), ts, key)),
    }),
  });
}
