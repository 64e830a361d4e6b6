import type { OperatorFunction } from 'rxjs';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { toElement } from '../core/stream-record';
import type { Collector, Key, Timestamp } from '../core/types';
import { coOperator } from './co-operator-internals';
import { checkMethods } from '../core/validate';
import type { TaggedValue } from './tagged-union-internals';

/**
 * A co-flatMap function with a lifecycle (Flink's `RichCoFlatMapFunction`); keyed state on keyed inputs;
 * it may also implement `CheckpointedFunction`.
 */
export interface RichCoFlatMapFunction<L, R, O> extends RichFunction {
  flatMap1(value: L, out: Collector<O>): Iterable<O> | void;
  flatMap2(value: R, out: Collector<O>): Iterable<O> | void;
}

/** One side of a co-flatMap: returns an iterable of outputs, or emits them into the collector. */
export type CoFlatMapSide<T, O> = (value: T, out: Collector<O>) => Iterable<O> | void;

/**
 * Emits zero or more outputs per record of two connected streams: `flatMap1` for the first input,
 * `flatMap2` for the second. Outputs keep the input record's timestamp and key.
 *
 * It's like Flink's `ConnectedStreams.flatMap(CoFlatMapFunction)`. The classic use is a control stream
 * that switches the data stream: keep shared state in a rich function on keyed inputs.
 *
 * ```text
 * first:                                a---b---|      a(1), b(3)
 * second:                               --x-----|      x(2)
 * connect(second), coFlatMap(dup, noop) (aa)(bb)(M|)   dup = (s) => [s, s]; noop emits nothing
 * ```
 *
 * @example
 * ```ts
 * // words pass unless a control stream blocked them (keyed by the word)
 * words$.pipe(keyBy((w) => w), connect(blocked$.pipe(keyBy((w) => w))), coFlatMap({
 *   open(ctx) { this.blocked = ctx.getState(new ValueStateDescriptor<boolean>('blocked', false)) },
 *   flatMap1(w, out) { if (!this.blocked.value()) out.collect(w) },
 *   flatMap2() { this.blocked.update(true) },
 * }))
 * ```
 * @throws InvalidArgumentError when the functions are missing; UserFunctionError (as an error
 * notification) when one throws.
 * @see connect, coMap, coProcess, Flink's `CoFlatMapFunction`
 */
export function coFlatMap<L, R, O>(flatMap1: CoFlatMapSide<L, O>, flatMap2: CoFlatMapSide<R, O>, options?: OperatorOptions): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>>;
export function coFlatMap<L, R, O>(fn: RichCoFlatMapFunction<L, R, O>, options?: OperatorOptions): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>>;
export function coFlatMap<L, R, O>(
  a: CoFlatMapSide<L, O> | RichCoFlatMapFunction<L, R, O>,
  b?: CoFlatMapSide<R, O> | OperatorOptions,
  c?: OperatorOptions,
): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const rich = typeof a === 'function' ? undefined : a;
  const options = rich === undefined ? c : (b as OperatorOptions | undefined);
  const name = options?.name ?? 'coFlatMap';
  const origin = { operator: name, uid: options?.uid };
  let f1: CoFlatMapSide<L, O>;
  let f2: CoFlatMapSide<R, O>;
  if (rich === undefined) {
    checkMethods(origin, 'flatMap1 and flatMap2', { flatMap1: a, flatMap2: b }, ['flatMap1', 'flatMap2']);
    f1 = a as CoFlatMapSide<L, O>;
    f2 = b as CoFlatMapSide<R, O>;
  } else {
    checkMethods(origin, 'fn', rich, ['flatMap1', 'flatMap2']);
    f1 = (v, out) => rich.flatMap1(v, out);
    f2 = (v, out) => rich.flatMap2(v, out);
  }
  return coOperator<L, R, O>({
    name,
    kind: 'coFlatMap',
    options,
    fns: rich === undefined ? [] : [rich],
    keyedState: rich !== undefined,
    timers: false,
    broadcast: false,
    build: ({ destination }) => {
      let timestamp: Timestamp | undefined;
      let key: Key | undefined;
      const out: Collector<O> = { collect: (v) => destination.next(toElement(v, timestamp, key)) };
      const emit = (result: Iterable<O> | void): void => {
        if (result != null) for (const r of result) destination.next(toElement(r, timestamp, key));
      };
      return {
        first: (v, ts, k) => {
          timestamp = ts;
          key = k;
          emit(f1(v, out));
        },
        second: (v, ts, k) => {
          timestamp = ts;
          key = k;
          emit(f2(v, out));
        },
      };
    },
  });
}
