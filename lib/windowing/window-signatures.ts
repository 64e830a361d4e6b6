/**
 * The call signatures shared by every window operator (`window`, `windowAll` and the sugar such as
 * `tumblingEventWindow`), so that their output and key types flow from the options: the element type
 * from the stream, the key type from `keyBy`, the aggregate's result into the process function's
 * elements, and the process function's return (or its `out: Collector<X>`) into the output.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import type { SessionGapExtractor } from './assigners/event-time-session-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import type { AggregateFunction, ProcessWindowFunction, WindowFunction, WindowReduceFunction } from './functions/window-functions';
import type { WindowedValue } from './functions/windowed-value';
import type { WindowOptions } from './window-operator-internals';
import type { Window } from './windows/window';

/** The arguments before the options, by kind of window operator. */
export interface WindowOperatorArgs<T, W extends Window> {
  /** `window(assigner, options)`, `windowAll(assigner, options)` */
  assigner: [assigner: WindowAssigner<NoInfer<T>, W>];
  /** `tumblingEventWindow(size, options)` */
  size: [size: number];
  /** `slidingEventWindow(size, slide, options)` */
  slide: [size: number, slide: number];
  /** `sessionEventWindow(gap, options)` */
  gap: [gap: number | SessionGapExtractor<T>];
  /** `countWindow(size, slide, options)` */
  count: [size: number, slide: number | undefined];
  /** `globalWindow(options)` */
  none: [];
}

/**
 * The options of a window operator without its window functions, `windowed` typed as `X`. The element
 * type comes from the stream, not from a trigger, evictor or late output tag (so `CountTrigger.of(2)`, a
 * `Trigger<unknown>`, fits a stream of clicks).
 */
export type WindowBaseOptions<T, W extends Window, X extends boolean> = Omit<WindowOptions<NoInfer<T>, unknown, Key, NoInfer<W>>, 'reduce' | 'aggregate' | 'process' | 'apply' | 'windowed'> & {
  /** Emit `{ key, window, value }` ({@link WindowedValue}) instead of the bare result. */
  windowed?: X;
};

/** The key a window function receives: the stream's key, or `undefined` for `windowAll`. */
export type WindowKeyOf<Keyed extends boolean, K> = Keyed extends true ? K : undefined;

/** A window operator's output value: the result `R`, or `R` with its key and window when `windowed` is true. */
export type WindowOutput<R, K, W extends Window, X extends boolean> = X extends true ? WindowedValue<R, K, W> : R;

type In<Keyed extends boolean, K> = Keyed extends true ? K : unknown;
type Op<T, R, K, W extends Window, X extends boolean, Keyed extends boolean> = OperatorFunction<
  StreamElement<T, In<Keyed, K>>,
  StreamElement<WindowOutput<R, WindowKeyOf<Keyed, K>, W, X>, WindowKeyOf<Keyed, K>>
>;

/**
 * The overloads of a window operator. `A` names the arguments before the options
 * ({@link WindowOperatorArgs}), `W0` is the window type of the sugar operators, `Keyed` is false for
 * `windowAll`, `E` adds options (`offset` for time windows).
 *
 * Type parameters, inferred: `T` the elements (from the stream), `K` the key (from `keyBy`), `V` what the full function
 * receives (the aggregate's result, else `T`), `R` what the full function returns or collects, `X`
 * whether results are `windowed`.
 */
export interface WindowOperatorSignatures<A extends keyof WindowOperatorArgs<unknown, Window>, W0 extends Window, Keyed extends boolean, E = unknown> {
  /** A full window function (`process`), optionally after `reduce` or `aggregate`: its results. */
  <T, K = Key, V = T, R = unknown, X extends boolean = false, W extends Window = W0>(
    ...args: [
      ...WindowOperatorArgs<T, W>[A],
      options: WindowBaseOptions<T, W, X> &
        E & {
          aggregate?: AggregateFunction<T, any, V>;
          reduce?: WindowReduceFunction<T>;
          process: ProcessWindowFunction<V, R, WindowKeyOf<Keyed, K>, W>;
          apply?: never;
        },
    ]
  ): Op<T, R, K, W, X, Keyed>;
  /** A legacy full window function (`apply`), optionally after `reduce` or `aggregate`: its results. */
  <T, K = Key, V = T, R = unknown, X extends boolean = false, W extends Window = W0>(
    ...args: [
      ...WindowOperatorArgs<T, W>[A],
      options: WindowBaseOptions<T, W, X> &
        E & {
          aggregate?: AggregateFunction<T, any, V>;
          reduce?: WindowReduceFunction<T>;
          apply: WindowFunction<V, R, WindowKeyOf<Keyed, K>, W>;
          process?: never;
        },
    ]
  ): Op<T, R, K, W, X, Keyed>;
  /** An incremental aggregate alone: its result. */
  <T, K = Key, V = T, X extends boolean = false, W extends Window = W0>(
    ...args: [
      ...WindowOperatorArgs<T, W>[A],
      options: WindowBaseOptions<T, W, X> & E & { aggregate: AggregateFunction<T, any, V>; reduce?: never; process?: never; apply?: never },
    ]
  ): Op<T, V, K, W, X, Keyed>;
  /** A reduce function alone: the reduced element. */
  <T, K = Key, X extends boolean = false, W extends Window = W0>(
    ...args: [
      ...WindowOperatorArgs<T, W>[A],
      options: WindowBaseOptions<T, W, X> & E & { reduce: WindowReduceFunction<T>; aggregate?: never; process?: never; apply?: never },
    ]
  ): Op<T, T, K, W, X, Keyed>;
  /** No window function: the array of the window's elements. */
  <T, K = Key, X extends boolean = false, W extends Window = W0>(
    ...args: [
      ...WindowOperatorArgs<T, W>[A],
      options?: WindowBaseOptions<T, W, X> & E & { reduce?: never; aggregate?: never; process?: never; apply?: never },
    ]
  ): Op<T, T[], K, W, X, Keyed>;
}

/** Any options of a window operator, for the implementations behind {@link WindowOperatorSignatures}. */
export type AnyWindowOptions = WindowOptions<any, any, any, any> & { offset?: number };

/** What an implementation behind {@link WindowOperatorSignatures} returns. */
export type AnyWindowOperator = OperatorFunction<StreamElement<any, any>, StreamElement<any, any>>;
