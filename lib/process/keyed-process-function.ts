import type { OutputTag } from '../core/output-tag';
import type { RichFunction } from '../core/runtime-context';
import type { Collector, Key, Timestamp } from '../core/types';
import type { TimeDomain, TimerService } from '../time/timer-service';

/** What `processElement` of a {@link KeyedProcessFunction} receives besides the value. */
export interface KeyedProcessContext<K = Key> {
  /** The record's event timestamp (undefined when it has none). */
  timestamp(): Timestamp | undefined;
  /** Time and per-key timers. */
  timerService(): TimerService;
  /** The key of the record (or timer) being processed. */
  getCurrentKey(): K;
  /** Emits to a side output, with the current timestamp and key. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What `onTimer` receives: the context, plus the timer's time domain. */
export interface OnTimerContext<K = Key> extends KeyedProcessContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * A keyed process function (Flink's `KeyedProcessFunction`): per-record processing with keyed state (from
 * the runtime context given to `open`) and per-key timers that call back `onTimer`.
 *
 * @example
 * ```ts
 * const fn: KeyedProcessFunction<string, Click, string> = {
 *   processElement(c, ctx) { ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 60_000) },
 *   onTimer(t, ctx, out) { out.collect(`${ctx.getCurrentKey()} idle since ${t - 60_000}`) },
 * };
 * ```
 */
export interface KeyedProcessFunction<K, I, O> extends RichFunction {
  /** Collects any number of results into `out`, or returns one (a returned value other than `undefined` is emitted). */
  processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): O | undefined | void;
  /** Called when a timer fires; collects or returns its results like `processElement`. */
  onTimer?(timestamp: Timestamp, ctx: OnTimerContext<K>, out: Collector<O>): O | undefined | void;
}
