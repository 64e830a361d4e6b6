import type { Observable, OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Collector, Key } from '../core/types';
import type { Window } from '../windowing/windows/window';
import { twoStreamWindow, type TwoStreamWindowOptions } from './tagged-union-internals';
import { checkObject } from '../core/validate';

/**
 * Receives both groups of one key and window (either may be empty), the key and the window (e.g. to
 * report the window's start, as Flink SQL's `window_start`). It collects any number of results into
 * `out`, or returns one (a returned value other than `undefined` is emitted; returning lets TypeScript
 * infer the output type).
 */
export type CoGroupFunction<L, R, O, W extends Window = Window> = (lefts: L[], rights: R[], out: Collector<O>, key: Key, window: W) => O | undefined | void;

/** Options of {@link coGroup}. */
export interface CoGroupOptions<L, R, O, W extends Window> extends TwoStreamWindowOptions<L, R, W> {
  apply: CoGroupFunction<L, R, O, W>;
}

/**
 * Groups two streams by key within windows and hands both groups of each key and window to `apply` at
 * once — including groups where one side is empty, so left, right and full outer joins can be written.
 *
 * It's like Flink's `a.coGroup(b).where(...).equalTo(...).window(...).apply(...)`.
 *
 * ```text
 * window: TumblingEventTimeWindows.of(10), key: the letter; apply emits `${lefts}|${rights}`
 * left:   a1(1) b1(3)               M
 * right:  a9(2)       c9(5)         M
 * output: "a1|a9"(9) "b1|"(9) "|c9"(9)
 * ```
 *
 * @example
 * ```ts
 * // left outer join
 * users$.pipe(coGroup(logins$, {
 *   where: (u) => u.id, equalTo: (l) => l.userId, window: TumblingEventTimeWindows.of(3_600_000),
 *   apply: (users, logins, out) => { for (const u of users) out.collect({ ...u, logins: logins.length }) },
 * }))
 * ```
 * @throws InvalidArgumentError when `where`, `equalTo`, `window` or `apply` is missing.
 * @see windowJoin, Flink's `CoGroupedStreams`
 */
export function coGroup<L, R, O, W extends Window = Window>(
  other: Observable<StreamElement<R>>,
  options: CoGroupOptions<L, R, O, W>,
): OperatorFunction<StreamElement<L>, StreamElement<O>> {
  checkObject({ operator: 'coGroup' }, 'options', options, '{ where, equalTo, window, apply }');
  const name = options.name ?? 'coGroup';
  if (typeof options.apply !== 'function') {
    throw new InvalidArgumentError({ operator: name, uid: options.uid }, 'apply', options.apply, 'must be a function (lefts, rights, out, key, window) => void');
  }
  const fn = options.apply;
  return twoStreamWindow<L, R, O, W>('coGroup', other, { ...options, name }, (lefts, rights, out, key, ctx) => {
    // the function may return its one result instead of collecting it
    const returned = fn(lefts, rights, out, key, ctx.window);
    if (returned !== undefined) out.collect(returned);
  });
}
