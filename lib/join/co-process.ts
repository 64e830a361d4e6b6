import type { OperatorFunction } from 'rxjs';
import type { OutputTag } from '../core/output-tag';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord, toElement } from '../core/stream-record';
import type { Collector, Key, Timestamp } from '../core/types';
import type { TimeDomain, TimerService } from '../time/timer-service';
import { coOperator } from './co-operator-internals';
import { checkMethods } from '../core/validate';
import type { TaggedValue } from './tagged-union-internals';

/** What `processElement1`/`processElement2` of a {@link CoProcessFunction} receive besides the value. */
export interface CoProcessContext<K = Key> {
  /** The record's event timestamp (in `onTimer`: the timer's time in event time, else `undefined`). */
  timestamp(): Timestamp | undefined;
  /** Time, and per-key timers (which need keyed inputs: without a current key they throw `NotKeyedError`). */
  timerService(): TimerService;
  /** The current record's (or timer's) key, `undefined` on non-keyed inputs. */
  getCurrentKey(): K | undefined;
  /** Emits to a side output, with the current timestamp and key. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What `onTimer` receives: the context, plus the timer's time domain. */
export interface CoOnTimerContext<K = Key> extends CoProcessContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * A two-input process function (Flink's `CoProcessFunction`, and `KeyedCoProcessFunction` on keyed
 * inputs): one method per input, keyed state from the runtime context given to `open`, timers, side
 * outputs. It may also implement `CheckpointedFunction` to keep operator state.
 *
 * @example
 * ```ts
 * const fn: CoProcessFunction<Order, Payment, string> = {
 *   processElement1(o, ctx) { ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 60_000) },
 *   processElement2(p, ctx, out) { out.collect(`${ctx.getCurrentKey()} paid`) },
 *   onTimer(t, ctx, out) { out.collect(`${ctx.getCurrentKey()} unpaid`) },
 * };
 * ```
 */
export interface CoProcessFunction<L, R, O, K = Key> extends RichFunction {
  processElement1(value: L, ctx: CoProcessContext<K>, out: Collector<O>): void;
  processElement2(value: R, ctx: CoProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: Timestamp, ctx: CoOnTimerContext<K>, out: Collector<O>): void;
}

/**
 * Runs a {@link CoProcessFunction} over two connected streams. On inputs keyed by the same kind of key,
 * keyed state and timers are shared by both inputs and scoped to the record's key; event-time timers
 * fire when the combined watermark (the minimum of both inputs) reaches them, before that watermark is
 * forwarded, and all of them at the end of input; processing-time timers fire on the scheduler. A timer
 * is registered once per (key, time, domain).
 *
 * It's like Flink's `connectedStreams.process(CoProcessFunction)` (on keyed streams,
 * `KeyedCoProcessFunction`). Outputs of `processElement1/2` carry the record's timestamp and key; those
 * of an event-time `onTimer` carry the timer's time, those of a processing-time one no timestamp.
 *
 * ```text
 * processElement1 registers an event-time timer at ts + 5; processElement2 deletes the timer at 6
 * and emits "paid"; onTimer emits "late@t"
 * orders:    a-b------W--|       a(1) key k1, b(2) key k2, W = W(10)
 * payments:  ---p---V-----|      p(3) key k1, V = W(10)
 * output:    ---p-----(tW)(M|)   p = "k1 paid"(3), t = "k2 late@7"(7): b's timer fires before W(10)
 * ```
 *
 * @example
 * ```ts
 * orders$.pipe(keyBy((o) => o.id), connect(payments$.pipe(keyBy((p) => p.orderId))), coProcess<Order, Payment, string>({
 *   open(ctx) { this.paid = ctx.getState(new ValueStateDescriptor<boolean>('paid', false)) },
 *   processElement1(o, ctx) { ctx.timerService().registerEventTimeTimer(o.ts + 60_000) },
 *   processElement2(p) { this.paid.update(true) },
 *   onTimer(t, ctx, out) { if (!this.paid.value()) out.collect(`order ${ctx.getCurrentKey()} unpaid`) },
 * }))
 * ```
 * @throws InvalidArgumentError when `fn` lacks `processElement1`/`processElement2`; NotKeyedError (as an
 * error notification) when keyed state or timers are used on a record without a key; StateError when a
 * state name is re-registered with another kind; InvalidKeyError when the inputs are keyed by different
 * kinds of key; UserFunctionError when the function throws.
 * @see connect, coMap, coFlatMap, keyedProcess, Flink's `CoProcessFunction`
 */
export function coProcess<L, R, O, K extends Key = Key>(
  fn: CoProcessFunction<L, R, O, K>,
  options?: OperatorOptions,
): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const name = options?.name ?? 'coProcess';
  checkMethods({ operator: name, uid: options?.uid }, 'fn', fn, ['processElement1', 'processElement2'], ['onTimer', 'open', 'close']);
  return coOperator<L, R, O>({
    name,
    kind: 'coProcess',
    options,
    fns: [fn],
    keyedState: true,
    timers: true,
    broadcast: false,
    build: ({ destination, timerService }) => {
      let timestamp: Timestamp | undefined;
      let key: Key | undefined;
      let domain: TimeDomain = 'event-time';
      const ctx: CoOnTimerContext<K> = {
        timestamp: () => timestamp,
        timerService: () => timerService,
        getCurrentKey: () => key as K | undefined,
        output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, timestamp, key))),
        timeDomain: () => domain,
      };
      const out: Collector<O> = { collect: (v) => destination.next(toElement(v, timestamp, key)) };
      return {
        first: (v, ts, k) => {
          timestamp = ts;
          key = k;
          fn.processElement1(v, ctx, out);
        },
        second: (v, ts, k) => {
          timestamp = ts;
          key = k;
          fn.processElement2(v, ctx, out);
        },
        onTimer: (timer, d) => {
          key = timer.key;
          domain = d;
          timestamp = d === 'event-time' ? timer.time : undefined;
          fn.onTimer?.(timer.time, ctx, out);
        },
      };
    },
  });
}
