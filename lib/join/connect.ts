import { Observable } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import type { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import { map } from '../transform/map';
import { BroadcastStream } from './broadcast';
import { TaggedValue } from './tagged-union-internals';
import { union } from './union';
import { checkObservable } from '../core/validate';

/**
 * Two streams connected for a two-input operator (`coMap`, `coFlatMap`, `coProcess`). Subscribing to it
 * yields both inputs' records as {@link TaggedValue}s (`side` 0 for the first, 1 for the second, each
 * keeping its timestamp and key) through the shared input valve: the watermark is the minimum of the
 * two inputs, idle inputs are left out, barriers are aligned, and it completes when both have.
 *
 * @see connect, Flink's `ConnectedStreams`
 */
export class ConnectedStreams<L, R> extends Observable<StreamElement<TaggedValue<L, R>>> {
  constructor(
    readonly first: Observable<StreamElement<L>>,
    readonly second: Observable<StreamElement<R>>,
  ) {
    super((subscriber) =>
      first
        .pipe(
          map((v: L) => new TaggedValue<L, R>(0, v), { name: 'connect' }),
          union(second.pipe(map((v: R) => new TaggedValue<L, R>(1, v), { name: 'connect' }))),
        )
        .subscribe(subscriber),
    );
  }
}

/**
 * A stream connected to a {@link BroadcastStream}: the input of `broadcastProcess` and
 * `keyedBroadcastProcess`, which keep the broadcast state the descriptors name.
 * @see connect, Flink's `BroadcastConnectedStream`
 */
export class BroadcastConnectedStreams<L, R> extends ConnectedStreams<L, R> {
  readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[];
  constructor(first: Observable<StreamElement<L>>, second: BroadcastStream<R>) {
    super(first, second.input);
    this.descriptors = second.descriptors;
  }
}

/**
 * Connects the source with `other` for a two-input operator that keeps state shared by both inputs:
 * `coMap`, `coFlatMap` or `coProcess`; or, when `other` is a {@link BroadcastStream},
 * `broadcastProcess` or `keyedBroadcastProcess`. Unlike `union`, the two inputs may have different types
 * and are told apart.
 *
 * It's like Flink's `DataStream.connect`. To share keyed state and timers between the inputs, key both
 * by the same kind of key before connecting (Flink's `a.keyBy(f).connect(b.keyBy(g))`).
 *
 * ```text
 * first:            a----W----|      a = a(1) keyed by k, W = W(4)
 * second:           --x----V-|       x = 7 at event time 2, V = W(6)
 * connect(second):  a-x----W--(M|)   a, x as TaggedValue(0, a), TaggedValue(1, 7); W(4) waits for the
 *                                    second input's first watermark; M = W(max) once both complete
 * ```
 *
 * @example
 * ```ts
 * orders$.pipe(keyBy((o) => o.id), connect(payments$.pipe(keyBy((p) => p.orderId))), coProcess({
 *   processElement1(order, ctx, out) { ... },
 *   processElement2(payment, ctx, out) { ... },
 * }))
 * ```
 * @param other the second input (any stream of elements), or a broadcast stream from `broadcast(...)`.
 * @see union, coMap, coFlatMap, coProcess, broadcastProcess, keyedBroadcastProcess, Flink's `ConnectedStreams`
 */
export function connect<L, R>(other: BroadcastStream<R>): (source: Observable<StreamElement<L>>) => BroadcastConnectedStreams<L, R>;
export function connect<L, R>(other: Observable<StreamElement<R>>): (source: Observable<StreamElement<L>>) => ConnectedStreams<L, R>;
export function connect<L, R>(other: Observable<StreamElement<R>>): (source: Observable<StreamElement<L>>) => ConnectedStreams<L, R> {
  checkObservable({ operator: 'connect' }, 'other', other);
  return (source) => (other instanceof BroadcastStream ? new BroadcastConnectedStreams<L, R>(source, other as BroadcastStream<R>) : new ConnectedStreams<L, R>(source, other));
}
