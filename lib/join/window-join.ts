import type { Observable, OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Collector } from '../core/types';
import type { Window } from '../windowing/windows/window';
import { twoStreamWindow, type TwoStreamWindowOptions } from './tagged-union-internals';
import { checkObject } from '../core/validate';

/** Options of {@link windowJoin}: exactly one of `apply` (one result per pair) and `flatApply` (any number). */
export interface WindowJoinOptions<L, R, O, W extends Window> extends TwoStreamWindowOptions<L, R, W> {
  /** One result per matching pair. */
  apply?: (left: L, right: R) => O;
  /** Zero or more results per matching pair, through the collector. */
  flatApply?: (left: L, right: R, out: Collector<O>) => void;
}

/**
 * Inner-joins two streams on a key within windows: every pair of a left and a right element that share a
 * key and a window is joined once (the cartesian product within the window), when the window fires. The
 * results carry the window's `end - 1` as timestamp and the join key.
 *
 * It's like Flink's `a.join(b).where(...).equalTo(...).window(...).apply(...)`. The two inputs are merged
 * through the input valve: the watermark is the minimum of both, and checkpoint barriers are aligned.
 *
 * ```text
 * window: TumblingEventTimeWindows.of(10), key: the letter
 * left:   a1(1) b1(3)  a2(12)                M
 * right:  a9(2)   b9(4)  a8(15)              M
 * output: (a1,a9)(9) (b1,b9)(9)  (a2,a8)(19)
 * ```
 *
 * @example
 * ```ts
 * orders$.pipe(windowJoin(payments$, {
 *   where: (o) => o.id, equalTo: (p) => p.orderId,
 *   window: TumblingEventTimeWindows.of(60_000),
 *   apply: (o, p) => ({ ...o, paid: p.amount }),
 * }))
 * ```
 * @throws InvalidArgumentError when `where`, `equalTo` or `window` is missing, or neither (or both) of
 * `apply` and `flatApply` is given.
 * @see coGroup, intervalJoin, Flink's `JoinedStreams`
 */
export function windowJoin<L, R, O, W extends Window = Window>(
  other: Observable<StreamElement<R>>,
  options: WindowJoinOptions<L, R, O, W>,
): OperatorFunction<StreamElement<L>, StreamElement<O>> {
  checkObject({ operator: 'windowJoin' }, 'options', options, '{ where, equalTo, window, apply }');
  const origin = { operator: options.name ?? 'windowJoin', uid: options.uid };
  const { apply, flatApply } = options;
  if ((apply === undefined) === (flatApply === undefined)) {
    throw new InvalidArgumentError(origin, 'apply/flatApply', apply ?? flatApply, 'give exactly one of apply (one result per pair) and flatApply');
  }
  return twoStreamWindow<L, R, O, W>('windowJoin', other, { ...options, name: origin.operator }, (lefts, rights, out) => {
    for (const l of lefts) {
      for (const r of rights) {
        if (apply !== undefined) out.collect(apply(l, r));
        else flatApply!(l, r, out);
      }
    }
  }, true);
}
