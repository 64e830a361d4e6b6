import type { OutputTag } from '../../core/output-tag';
import type { RichFunction } from '../../core/runtime-context';
import type { Collector, Key, Timestamp } from '../../core/types';
import type { ValueState, ValueStateDescriptor } from '../../state/descriptors/value-state-descriptor';
import type { KeyedStateStore } from '../../state/keyed-state-store';
import type { Window } from '../windows/window';

/**
 * An incremental aggregation: `add` folds each element into an accumulator; `getResult` renders it;
 * `merge` combines two accumulators (for merging session windows).
 *
 * @example
 * ```ts
 * const average: AggregateFunction<number, { sum: number; n: number }, number> = {
 *   createAccumulator: () => ({ sum: 0, n: 0 }),
 *   add: (v, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
 *   getResult: (acc) => acc.sum / acc.n,
 *   merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
 * };
 * ```
 * @see Flink's `AggregateFunction`
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Combines two elements of a window into one (Flink's `ReduceFunction`). @example `(a, b) => a + b` */
export type WindowReduceFunction<T> = (a: T, b: T) => T;

/** A value state reached by name through `getState(name)` (the same as a {@link ValueState} with no default). */
export interface WindowValueState<S> {
  value(): S | undefined;
  update(value: S): void;
  clear(): void;
}

/**
 * The keyed state a process window function reaches through its context: per key and window
 * (`windowState()`) or per key across windows (`globalState()`). Every state kind of a runtime context
 * is there, with TTL; `getState(name)` is shorthand for a value state without a default.
 *
 * @example
 * ```ts
 * process: (url, ctx, [count], out) => {
 *   const firings = ctx.windowState().getState(new ValueStateDescriptor<number>('firings', 0));
 *   firings.update(firings.value()! + 1);           // > 1 when late data re-fires the window
 *   ctx.globalState().getListState(new ListStateDescriptor<number>('history')).add(count!);
 *   out.collect({ url, count, firings: firings.value() });
 * }
 * ```
 * @see Flink's `ProcessWindowFunction.Context#windowState` / `#globalState`
 */
export interface WindowStateStore extends KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  /** The value state of that name (empty until first updated). */
  getState<S>(name: string): WindowValueState<S>;
}

/** What a {@link ProcessWindowFunction} receives besides the elements. */
export interface ProcessWindowContext<W extends Window> {
  readonly window: W;
  currentWatermark(): Timestamp;
  currentProcessingTime(): Timestamp;
  /**
   * State scoped to this key and window, dropped when the window is cleaned up (after `clear`). Merging
   * (session) windows have none, as in Flink: their windows merge away.
   * @throws StateError on merging windows.
   */
  windowState(): WindowStateStore;
  /** State scoped to this key, across windows: for a keyed window, the keyed state of the runtime context. */
  globalState(): WindowStateStore;
  /** Emits to a side output, with the window's `maxTimestamp()` as timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** A process window function object, with an optional `clear` called when the window is cleaned up. */
export interface RichProcessWindowFunction<IN, OUT, K, W extends Window> extends RichFunction {
  /** Collects any number of results into `out`, or returns one (a returned value other than `undefined` is emitted). */
  process(key: K, ctx: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): OUT | undefined | void;
  clear?(ctx: ProcessWindowContext<W>): void;
}

/**
 * Processes all elements of a window at once, with its context (window, time, state, side outputs).
 * Combined with `reduce` or `aggregate`, `elements` holds the single pre-aggregated value.
 *
 * It collects any number of results into `out` (Flink's way), or returns one: a returned value other than
 * `undefined` is emitted after anything collected. Returning lets TypeScript infer the operator's output
 * type from the function; with `out.collect` only, write the output type once (`out: Collector<X>`).
 *
 * @example
 * ```ts
 * import { type ProcessWindowFunction, type TimeWindow } from 'tidemark';
 *
 * const withEnd: ProcessWindowFunction<number, { url: string; count: number; end: number }, string, TimeWindow> =
 *   (url, ctx, [count]) => ({ url, count: count!, end: ctx.window.end });
 * ```
 * @see Flink's `ProcessWindowFunction`
 */
export type ProcessWindowFunction<IN, OUT, K, W extends Window> =
  | ((key: K, ctx: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) => OUT | undefined | void)
  | RichProcessWindowFunction<IN, OUT, K, W>;

/**
 * The legacy full-window function for `apply`: key, window, elements, collector. Like a
 * {@link ProcessWindowFunction}, it may return its one result instead of collecting it.
 * @example `(key, window, elements) => ({ key, n: elements.length, end: window.end })`
 * @see Flink's `WindowFunction`
 */
export type WindowFunction<IN, OUT, K, W extends Window> = (key: K, window: W, elements: IN[], out: Collector<OUT>) => OUT | undefined | void;

/** The key type of windowAll (no key). */
export type NoKey = undefined;
export type { Key };
