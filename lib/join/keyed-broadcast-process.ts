import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { OutputTag } from '../core/output-tag';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord, toElement } from '../core/stream-record';
import type { Collector, Key, Timestamp } from '../core/types';
import type { AggregatingStateDescriptor } from '../state/descriptors/aggregating-state-descriptor';
import type { ListStateDescriptor } from '../state/descriptors/list-state-descriptor';
import type { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import type { ReducingStateDescriptor } from '../state/descriptors/reducing-state-descriptor';
import { StateDescriptor } from '../state/descriptors/state-descriptor';
import type { ValueStateDescriptor } from '../state/descriptors/value-state-descriptor';
import type { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import type { BroadcastState, ReadOnlyBroadcastState } from '../state/operator-state';
import type { TimeDomain, TimerService } from '../time/timer-service';
import { BroadcastStates, broadcastSource } from './broadcast-process';
import { coOperator } from './co-operator-internals';
import { checkMethods } from '../core/validate';
import type { TaggedValue } from './tagged-union-internals';

/** What `processElement` of a {@link KeyedBroadcastProcessFunction} receives besides the value. */
export interface KeyedBroadcastReadOnlyContext<K = Key> {
  timestamp(): Timestamp | undefined;
  currentWatermark(): Timestamp;
  currentProcessingTime(): Timestamp;
  /** Per-key timers (they call back `onTimer`). */
  timerService(): TimerService;
  /** The key of the record (or timer) being processed. */
  getCurrentKey(): K;
  /** Emits to a side output with the current timestamp and key. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The broadcast state, read-only: its mutators (present at run time only) throw `StateError`. */
  getBroadcastState<BK, BV>(descriptor: MapStateDescriptor<BK, BV>): ReadOnlyBroadcastState<BK, BV>;
}

/** What `onTimer` receives: the read-only context plus the timer's time domain. */
export interface KeyedBroadcastOnTimerContext<K = Key> extends KeyedBroadcastReadOnlyContext<K> {
  timeDomain(): TimeDomain;
}

/** What `processBroadcastElement` receives besides the value. */
export interface KeyedBroadcastContext<K = Key> {
  timestamp(): Timestamp | undefined;
  currentWatermark(): Timestamp;
  currentProcessingTime(): Timestamp;
  /** Emits to a side output with the current timestamp (no key). */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The broadcast state, read-write. */
  getBroadcastState<BK, BV>(descriptor: MapStateDescriptor<BK, BV>): BroadcastState<BK, BV>;
  /**
   * Calls `fn` once for every key that holds the keyed state `descriptor`, with that key's state (which
   * `fn` may read, change or clear).
   */
  applyToKeyedState<S>(descriptor: StateDescriptor<S>, fn: (key: K, state: S) => void): void;
}

/**
 * Processes a keyed stream connected to a broadcast stream (Flink's `KeyedBroadcastProcessFunction`):
 * `processElement` reads the broadcast state and has keyed state and timers; `processBroadcastElement`
 * changes the broadcast state and can visit every key's keyed state with `applyToKeyedState`. It may also
 * implement `CheckpointedFunction`.
 */
export interface KeyedBroadcastProcessFunction<K, L, R, O> extends RichFunction {
  processElement(value: L, ctx: KeyedBroadcastReadOnlyContext<K>, out: Collector<O>): void;
  processBroadcastElement(value: R, ctx: KeyedBroadcastContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: Timestamp, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<O>): void;
}

function stateHandle(backend: HeapKeyedStateBackend, d: StateDescriptor<unknown>): unknown {
  switch (d.kind) {
    case 'value':
      return backend.getState(d as ValueStateDescriptor<unknown>);
    case 'list':
      return backend.getListState(d as ListStateDescriptor<unknown>);
    case 'map':
      return backend.getMapState(d as MapStateDescriptor<unknown, unknown>);
    case 'reducing':
      return backend.getReducingState(d as ReducingStateDescriptor<unknown>);
    case 'aggregating':
      return backend.getAggregatingState(d as AggregatingStateDescriptor<unknown, unknown, unknown>);
  }
}

/**
 * Runs a {@link KeyedBroadcastProcessFunction} over a keyed stream connected to a broadcast stream. Keyed
 * records reach `processElement` with their key's state, per-key timers and read-only broadcast state;
 * broadcast records reach `processBroadcastElement`, which may change the broadcast state and apply a
 * function to the keyed state of every key. Timers behave as in `keyedProcess`: event-time timers fire
 * when the combined watermark (the minimum of both inputs) reaches them, all of them at the end of input;
 * their outputs carry the timer's time.
 *
 * It's like Flink's `keyedStream.connect(broadcastStream).process(KeyedBroadcastProcessFunction)`.
 *
 * ```text
 * processBroadcastElement stores the limit; processElement alerts over it
 * readings (keyed by sensor):  ----t----u--|       t = {s1, 50}(2), u = {s2, 90}(4)
 * rules:                       --L----------|      L = 80 at 1 (broadcast)
 * output:                      ---------a---(M|)   a = "alert s2 90"(4), key s2
 * ```
 *
 * @example
 * ```ts
 * const rulesDesc = new MapStateDescriptor<string, Rule>('rules');
 * readings$.pipe(keyBy((r) => r.sensor), connect(rules$.pipe(broadcast(rulesDesc))), keyedBroadcastProcess<string, Reading, Rule, Alert>({
 *   processBroadcastElement(rule, ctx) { ctx.getBroadcastState(rulesDesc).put(rule.metric, rule) },
 *   processElement(r, ctx, out) {
 *     const rule = ctx.getBroadcastState(rulesDesc).get(r.metric);
 *     if (rule !== undefined && r.value > rule.limit) out.collect({ sensor: ctx.getCurrentKey(), value: r.value, rule: rule.name });
 *   },
 * }))
 * ```
 * @throws InvalidArgumentError when `fn` lacks a method, or (at pipe time) when the source is not
 * `connect(broadcastStream)`; NotKeyedError (as an error notification) when a record of the first input
 * has no key and keyed state or timers are used; StateError when `processElement` writes broadcast state,
 * a broadcast descriptor was not declared, or a state name is re-registered with another kind;
 * UserFunctionError when the function throws.
 * @see broadcast, broadcastProcess, keyedProcess, Flink's `KeyedBroadcastProcessFunction`
 */
export function keyedBroadcastProcess<K extends Key, L, R, O>(
  fn: KeyedBroadcastProcessFunction<K, L, R, O>,
  options?: OperatorOptions,
): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const name = options?.name ?? 'keyedBroadcastProcess';
  const origin = { operator: name, uid: options?.uid };
  checkMethods(origin, 'fn', fn, ['processElement', 'processBroadcastElement'], ['onTimer', 'open', 'close']);
  return (source) => {
    const { descriptors } = broadcastSource(origin, source);
    return coOperator<L, R, O>({
      name,
      kind: 'keyedBroadcastProcess',
      options,
      fns: [fn],
      keyedState: true,
      timers: true,
      broadcast: true,
      build: ({ destination, operatorState, keyed, timerService, origin: o, watermark, processingTime }) => {
        let timestamp: Timestamp | undefined;
        let key: Key | undefined;
        let domain: TimeDomain = 'event-time';
        const states = new BroadcastStates(o, operatorState, descriptors, 'processElement');
        const output = <X>(tag: OutputTag<X>, value: X): void => destination.next(new SideOutput(tag, new StreamRecord(value, timestamp, key)));
        const readCtx: KeyedBroadcastOnTimerContext<K> = {
          timestamp: () => timestamp,
          currentWatermark: watermark,
          currentProcessingTime: processingTime,
          timerService: () => timerService,
          getCurrentKey: () => key as K,
          output,
          getBroadcastState: (d) => states.read(d),
          timeDomain: () => domain,
        };
        const writeCtx: KeyedBroadcastContext<K> = {
          timestamp: () => timestamp,
          currentWatermark: watermark,
          currentProcessingTime: processingTime,
          output,
          getBroadcastState: (d) => states.write(d),
          applyToKeyedState: <S>(d: StateDescriptor<S>, f: (key: K, state: S) => void) => {
            if (!(d instanceof StateDescriptor)) throw new InvalidArgumentError(o, 'descriptor', d, 'must be a keyed state descriptor (ValueStateDescriptor, ...)');
            const handle = stateHandle(keyed, d as StateDescriptor<unknown>) as S;
            try {
              for (const k of keyed.keys(d.name)) {
                keyed.setCurrentKey(k);
                f(k as K, handle);
              }
            } finally {
              keyed.setCurrentKey(undefined);
            }
          },
        };
        const out: Collector<O> = { collect: (v) => destination.next(toElement(v, timestamp, key)) };
        return {
          first: (v, ts, k) => {
            timestamp = ts;
            key = k;
            fn.processElement(v, readCtx, out);
          },
          second: (v, ts) => {
            timestamp = ts;
            key = undefined;
            fn.processBroadcastElement(v, writeCtx, out);
          },
          onTimer: (timer, d) => {
            key = timer.key;
            domain = d;
            timestamp = d === 'event-time' ? timer.time : undefined;
            fn.onTimer?.(timer.time, readCtx, out);
          },
        };
      },
    })(source);
  };
}
