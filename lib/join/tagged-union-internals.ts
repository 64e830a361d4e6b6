/**
 * Window join and coGroup follow Flink's plan: tag each side's elements, union the two streams (so the
 * shared input valve takes the minimum watermark and aligns barriers), key both by their join key, and
 * window them with a function that splits each window's elements back into the two sides.
 * @module
 */
import { type Observable, type OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { OperatorOptions } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import type { Collector, Key } from '../core/types';
import { keyBy, type KeyByOptions } from '../keyed/key-by';
import { map } from '../transform/map';
import type { WindowAssigner } from '../windowing/assigners/window-assigner';
import type { AggregateFunction, ProcessWindowContext } from '../windowing/functions/window-functions';
import type { Trigger } from '../windowing/triggers/trigger';
import { windowOperator } from '../windowing/window-operator-internals';
import type { Evictor } from '../windowing/evictors/evictor';
import type { Window } from '../windowing/windows/window';
import { union } from './union';
import { checkObservable, checkOptions } from '../core/validate';

/** An element of one side of a two-stream window operation. */
export class TaggedValue<L, R> {
  constructor(
    readonly side: 0 | 1,
    readonly value: L | R,
  ) {}
}

/**
 * A right element on its way into the window. Left elements travel as they are: this class is not
 * exported, so no left value can be one, and the left side (often the larger) costs no wrapper.
 */
class RightElement<R> {
  constructor(readonly value: R) {}
}

/** The two sides of one window, in arrival order. */
interface Sides<L, R> {
  lefts: L[];
  rights: R[];
}

/** Splits a window's tagged elements into its two sides as they arrive; merging (sessions) concatenates. */
function sidesAggregate<L, R>(): AggregateFunction<L | RightElement<R>, Sides<L, R>, Sides<L, R>> {
  return {
    createAccumulator: () => ({ lefts: [], rights: [] }),
    add: (t, acc) => {
      if (t instanceof RightElement) acc.rights.push(t.value);
      else acc.lefts.push(t);
      return acc;
    },
    getResult: (acc) => acc,
    merge: (a, b) => ({ lefts: a.lefts.concat(b.lefts), rights: a.rights.concat(b.rights) }),
  };
}

/** Options shared by `windowJoin` and `coGroup`. */
export interface TwoStreamWindowOptions<L, R, W extends Window> extends OperatorOptions {
  /** The join key of a left element. */
  where: (left: L) => Key;
  /** The join key of a right element. */
  equalTo: (right: R) => Key;
  /** Which windows the pairs must share. */
  window: WindowAssigner<unknown, W>;
  /** Replaces the assigner's default trigger. */
  trigger?: Trigger<unknown, W>;
  /** Removes elements before/after the join runs. */
  evictor?: Evictor<unknown, W>;
  /** How long after a window's end late elements still update it (event time). */
  allowedLateness?: number;
  /** Key serializer for join keys that are not primitives. */
  keySerializer?: KeyByOptions<Key>['keySerializer'];
}

/**
 * Builds the tagged-union window pipeline; `emit` receives each window's two sides. Unless `readsOnly`
 * (emit only reads the arrays while it runs), they are copies: a window may fire again with late data.
 */
export function twoStreamWindow<L, R, O, W extends Window>(
  operator: string,
  other: Observable<StreamElement<R>>,
  options: TwoStreamWindowOptions<L, R, W>,
  emit: (lefts: L[], rights: R[], out: Collector<O>, key: Key, ctx: ProcessWindowContext<W>) => void,
  readsOnly = false,
): OperatorFunction<StreamElement<L>, StreamElement<O>> {
  checkOptions(operator, options);
  const origin = { operator: options.name ?? operator, uid: options.uid };
  checkObservable(origin, 'other', other);
  for (const opt of ['where', 'equalTo'] as const) {
    if (typeof options[opt] !== 'function') throw new InvalidArgumentError(origin, opt, options[opt], 'must be a function returning the join key');
  }
  if (options.window === undefined || typeof options.window.assignWindows !== 'function') {
    throw new InvalidArgumentError(origin, 'window', options.window, 'must be a window assigner, e.g. TumblingEventTimeWindows.of(1000)');
  }
  const { where, equalTo } = options;
  const keyOptions = options.keySerializer === undefined ? { name: `${origin.operator}.keyBy` } : { name: `${origin.operator}.keyBy`, keySerializer: options.keySerializer };
  type In = L | RightElement<R>;
  if (options.evictor !== undefined) return evictingTwoStreamWindow(origin.operator, other, options, keyOptions, emit);
  return (source) =>
    (source as Observable<StreamElement<In>>).pipe(
      union(other.pipe(map((v: R) => new RightElement<R>(v)))),
      keyBy((t: In) => (t instanceof RightElement ? equalTo(t.value) : where(t)), keyOptions),
      windowOperator<In, O, W>(origin.operator, options.window as WindowAssigner<In, W>, {
        name: origin.operator,
        ...(options.uid === undefined ? {} : { uid: options.uid }),
        ...(options.trigger === undefined ? {} : { trigger: options.trigger as Trigger<In, W> }),
        ...(options.allowedLateness === undefined ? {} : { allowedLateness: options.allowedLateness }),
        ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
        ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
        // each window keeps its two sides as they arrive (an aggregate, so the incremental window
        // operators run it; the sides are plain arrays, so checkpoints write them); a function that
        // keeps the arrays gets copies, as a window may fire again with late data
        aggregate: sidesAggregate<L, R>(),
        process: readsOnly
          ? (key: Key, ctx: ProcessWindowContext<W>, sides: Sides<L, R>[], out: Collector<O>) => emit(sides[0]!.lefts, sides[0]!.rights, out, key, ctx)
          : (key: Key, ctx: ProcessWindowContext<W>, sides: Sides<L, R>[], out: Collector<O>) => emit(sides[0]!.lefts.slice(), sides[0]!.rights.slice(), out, key, ctx),
      }, true),
    ) as ReturnType<OperatorFunction<StreamElement<L>, StreamElement<O>>>;
}

/**
 * With an evictor the window keeps its elements, so both sides travel tagged as plain `[side, value]`
 * pairs (0 left, 1 right): the evictor sees them so, and a checkpoint writes them as plain data.
 */
function evictingTwoStreamWindow<L, R, O, W extends Window>(
  name: string,
  other: Observable<StreamElement<R>>,
  options: TwoStreamWindowOptions<L, R, W>,
  keyOptions: KeyByOptions<Key>,
  emit: (lefts: L[], rights: R[], out: Collector<O>, key: Key, ctx: ProcessWindowContext<W>) => void,
): OperatorFunction<StreamElement<L>, StreamElement<O>> {
  type In = readonly [0, L] | readonly [1, R];
  const { where, equalTo } = options;
  return (source) =>
    source.pipe(
      map((v: L): In => [0, v]),
      union(other.pipe(map((v: R): In => [1, v]))),
      keyBy((t: In) => (t[0] === 1 ? equalTo(t[1]) : where(t[1])), keyOptions),
      windowOperator<In, O, W>(name, options.window as WindowAssigner<In, W>, {
        name,
        ...(options.uid === undefined ? {} : { uid: options.uid }),
        ...(options.trigger === undefined ? {} : { trigger: options.trigger as Trigger<In, W> }),
        evictor: options.evictor as Evictor<In, W>,
        ...(options.allowedLateness === undefined ? {} : { allowedLateness: options.allowedLateness }),
        ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
        ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
        process: (key: Key, ctx: ProcessWindowContext<W>, elements: In[], out: Collector<O>) => {
          const lefts: L[] = [];
          const rights: R[] = [];
          for (const e of elements) {
            if (e[0] === 1) rights.push(e[1]);
            else lefts.push(e[1]);
          }
          emit(lefts, rights, out, key, ctx);
        },
      }, true),
    ) as ReturnType<OperatorFunction<StreamElement<L>, StreamElement<O>>>;
}
