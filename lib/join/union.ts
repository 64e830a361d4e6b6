import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { InputValve } from '../core/input-valve';
import { subscribeInput } from '../core/operate-elements';
import type { StreamElement } from '../core/stream-element';
import { checkObservable } from '../core/validate';

/**
 * Merges streams into one: records from every input pass through in arrival order; the output watermark
 * is the minimum over the active inputs (idle inputs left out; all idle → idle); checkpoint barriers are
 * aligned; the output completes when every input has.
 *
 * It's like RxJS's `merge`, but event-time aware, as Flink's `DataStream.union`.
 *
 * ```text
 * a:              --x(1)--W(5)---------W(9)--|
 * b:              ----y(2)-----W(7)----------|
 * a.pipe(union(b)) --x--y--------W(5)--W(7)--|   (W(9) is held back: b's watermark is 7 until it completes)
 * ```
 *
 * @example
 * ```ts
 * const all$ = web$.pipe(union(mobile$, kiosk$));
 * ```
 * @see connect, Flink's `DataStream.union`
 */
export function union<T, O extends readonly Observable<StreamElement<unknown>>[]>(
  ...others: O
): OperatorFunction<StreamElement<T>, StreamElement<T | ElementOf<O[number]>>> {
  others.forEach((other, i) => checkObservable({ operator: 'union' }, `others[${i}]`, other));
  return (source) =>
    new Observable<StreamElement<T | ElementOf<O[number]>>>((destination) => {
      const d = destination as Subscriber<unknown>;
      const inputs: Observable<unknown>[] = [source, ...others];
      const valve = new InputValve(inputs.length, {
        element: (_i, el) => d.next(el),
        watermark: (mark) => d.next(mark),
        status: (status) => d.next(status),
        barrier: (barrier) => d.next(barrier),
        start: (start) => d.next(start),
        end: () => d.complete(),
      }, { name: 'union' });
      const origin = { operator: 'union' };
      inputs.forEach((input, i) => {
        if (!d.closed) {
          subscribeInput(input, d, { next: (x) => valve.push(i, x), error: (e) => d.error(e), complete: () => valve.complete(i) }, origin);
        }
      });
    });
}

/** The record type of a stream of elements. */
export type ElementOf<S> = S extends Observable<StreamElement<infer U>> ? U : never;
