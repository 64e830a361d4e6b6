/**
 * How a window keeps its contents and turns them into results: incrementally (one accumulator per
 * window, for `reduce`/`aggregate` without an evictor) or buffered (every element, for `process`,
 * `apply`, the default element array, and any window with an evictor).
 * @module
 */
import { InvalidArgumentError } from '../../core/errors';
import type { Collector, Key, Timestamp } from '../../core/types';
import type { Evictor, EvictorContext, TimestampedValue } from '../evictors/evictor';
import type { Window } from '../windows/window';
import { WindowedValue } from './windowed-value';
import type {
  AggregateFunction,
  ProcessWindowContext,
  ProcessWindowFunction,
  WindowFunction,
  WindowReduceFunction,
} from './window-functions';

/** The window functions of a window operator (at most one of reduce/aggregate, one of process/apply). */
export interface WindowFunctions<T, R, K, W extends Window> {
  reduce?: WindowReduceFunction<T> | undefined;
  aggregate?: AggregateFunction<T, unknown, unknown> | undefined;
  process?: ProcessWindowFunction<unknown, R, K, W> | undefined;
  apply?: WindowFunction<unknown, R, K, W> | undefined;
  evictor?: Evictor<T, W> | undefined;
  /** Emit each result as a {@link WindowedValue} with its key and window. */
  windowed?: boolean | undefined;
}

/** Keeps and renders the contents of one window. */
export interface WindowContents<T, S, R, W extends Window> {
  add(contents: S | undefined, value: T, timestamp: Timestamp | undefined): S;
  merge(a: S, b: S): S;
  /** Emits the window's results; returns the contents to keep (after `evictAfter`). */
  emit(key: Key | undefined, window: W, contents: S, ctx: ProcessWindowContext<W> & EvictorContext, out: Collector<R>): S;
  /** Number of stored elements or accumulators in `contents` (for state-size metrics). */
  size(contents: S): number;
  /** For incremental contents only: the window's single pre-aggregated value. */
  result?(contents: S): unknown;
}

function runFull<R, K, W extends Window>(
  fns: WindowFunctions<unknown, R, K, W>,
  key: K,
  window: W,
  input: unknown[],
  ctx: ProcessWindowContext<W>,
  out: Collector<R>,
  defaultCollect: () => void,
): void {
  const p = fns.process;
  let returned: R | void;
  if (p !== undefined) {
    returned = typeof p === 'function' ? p(key, ctx, input, out) : p.process(key, ctx, input, out);
  } else if (fns.apply !== undefined) {
    returned = fns.apply(key, window, input, out);
  } else {
    defaultCollect();
    return;
  }
  // a function may return its one result instead of collecting it
  if (returned !== undefined) out.collect(returned);
}

/** Builds the contents strategy for a set of window functions. */
export function windowContents<T, R, K, W extends Window>(operator: string, fns: WindowFunctions<T, R, K, W>): WindowContents<T, unknown, R, W> {
  if (fns.reduce !== undefined && fns.aggregate !== undefined) {
    throw new InvalidArgumentError({ operator }, 'reduce/aggregate', 'both', 'give at most one of reduce and aggregate');
  }
  if (fns.process !== undefined && fns.apply !== undefined) {
    throw new InvalidArgumentError({ operator }, 'process/apply', 'both', 'give at most one of process and apply');
  }
  for (const [name, f] of [['reduce', fns.reduce], ['apply', fns.apply]] as const) {
    if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError({ operator }, name, f, 'must be a function');
  }
  const agg = fns.aggregate;
  const red = fns.reduce;
  const full = fns as WindowFunctions<unknown, R, K, W>;
  const evictor = fns.evictor;
  const windowed = fns.windowed === true;

  if (evictor === undefined && (agg !== undefined || red !== undefined)) {
    // incremental: one accumulator (or reduced value) per window
    if (agg !== undefined) {
      return {
        add: (acc, value) => agg.add(value, acc === undefined ? agg.createAccumulator() : acc),
        merge: (a, b) => agg.merge(a, b),
        result: (acc) => agg.getResult(acc),
        emit: (key, window, acc, ctx, out) => {
          if (windowed) out = new WindowedCollector(out, key, window);
          const result = agg.getResult(acc);
          runFull(full, key as K, window, [result], ctx, out, () => out.collect(result as R));
          return acc;
        },
        size: () => 1,
      };
    }
    // the reduced value sits in a box owned by its window, updated in place
    return {
      add: (acc, value) => {
        if (acc === undefined) return { v: value };
        const box = acc as { v: T };
        box.v = red!(box.v, value);
        return box;
      },
      merge: (a, b) => ({ v: red!((a as { v: T }).v, (b as { v: T }).v) }),
      result: (acc) => (acc as { v: T }).v,
      emit: (key, window, acc, ctx, out) => {
        if (windowed) out = new WindowedCollector(out, key, window);
        const result = (acc as { v: T }).v;
        runFull(full, key as K, window, [result], ctx, out, () => out.collect(result as unknown as R));
        return acc;
      },
      size: () => 1,
    };
  }

  // buffered: every element with its timestamp
  type Buf = TimestampedValue<T>[];
  return {
    add: (buf, value, timestamp) => {
      const b = (buf as Buf | undefined) ?? [];
      b.push({ value, timestamp });
      return b;
    },
    merge: (a, b) => (a as Buf).concat(b as Buf),
    emit: (key, window, contents, ctx, out) => {
      if (windowed) out = new WindowedCollector(out, key, window);
      let elements = contents as Buf;
      if (evictor !== undefined) elements = evictor.evictBefore(elements, elements.length, window, ctx);
      const vals = elements.map((e) => e.value);
      let input: unknown[] = vals;
      if (agg !== undefined) {
        let acc = agg.createAccumulator();
        for (const v of vals) acc = agg.add(v, acc);
        input = [agg.getResult(acc)];
      } else if (red !== undefined) {
        input = vals.length === 0 ? [] : [vals.reduce((a, b) => red(a, b))];
      }
      if (input.length > 0 || (agg === undefined && red === undefined)) {
        runFull(full, key as K, window, input, ctx, out, () => out.collect((agg !== undefined || red !== undefined ? input[0] : input) as R));
      }
      if (evictor !== undefined) elements = evictor.evictAfter(elements, elements.length, window, ctx);
      return elements;
    },
    size: (contents) => (contents as Buf).length,
  };
}

/** Wraps each result collected for one firing in a {@link WindowedValue} (one per firing, in `windowed` mode only). */
class WindowedCollector<R> implements Collector<R> {
  constructor(
    private readonly out: Collector<R>,
    private readonly key: Key | undefined,
    private readonly window: Window,
  ) {}
  collect(value: R): void {
    this.out.collect(new WindowedValue(this.key, this.window, value) as R);
  }
}
