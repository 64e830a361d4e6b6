import type { OperatorFunction } from 'rxjs';
import { checkTimerTime } from '../core/check-timestamp';
import { NotKeyedError } from '../core/errors';
import { failOperator, operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MAX_WATERMARK, type Timestamp } from '../core/types';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import { OperatorStateLifecycle } from '../state/operator-state';
import { type InternalTimer, InternalTimerService, type TimeDomain, type TimerService } from '../time/timer-service';
import type { KeyedProcessFunction, OnTimerContext } from './keyed-process-function';
import { checkMethods, checkOptions } from '../core/validate';

/** Gauge of a keyed process operator: keyed state entries held. @example `metrics.snapshot()[KEYED_STATE_ENTRIES]` */
export const KEYED_STATE_ENTRIES = 'keyedStateEntries';
/** Gauge of a keyed process operator: live event-time timers. @example `metrics.snapshot()[EVENT_TIME_TIMERS]` */
export const EVENT_TIME_TIMERS = 'eventTimeTimers';
/** Gauge of a keyed process operator: live processing-time timers. @example `metrics.snapshot()[PROCESSING_TIME_TIMERS]` */
export const PROCESSING_TIME_TIMERS = 'processingTimeTimers';

/**
 * Runs a {@link KeyedProcessFunction} on a keyed stream: keyed state through the runtime context, and
 * per-key timers in event time (fired by watermarks, all of them at the end of input) and processing
 * time (fired by the scheduler). A timer is registered once per (key, time, domain) however often it is
 * asked for, and timers fire in time order, before the watermark that fired them is forwarded.
 *
 * It's like Flink's `keyBy(...).process(KeyedProcessFunction)`.
 *
 * ```text
 * processElement registers an event-time timer at timestamp + 5; onTimer emits "key:time:domain"
 * source (keyed by k):  a(1)   W(5)   W(6)                               |
 * output:                      W(5)   ("k:6:event-time"(6) W(6))         |
 * ```
 *
 * Output records of `processElement` carry the input's timestamp; those of an event-time `onTimer` carry
 * the timer's time; those of a processing-time `onTimer` carry none.
 *
 * At a checkpoint barrier an operator with a `uid` acknowledges a handle with its keyed state, timers
 * and operator state (the function may implement `CheckpointedFunction`); a job started with that handle
 * in `restoredState` under the uid restores them (the keys of this subtask's key groups only).
 *
 * @example
 * ```ts
 * // the users idle for a minute (event time) after a click; the key type (string) comes from keyBy, the
 * // output type (string) from what onTimer returns. A function with state fields is a class (docs/process-functions.md).
 * clicks$.pipe(
 *   keyBy((c) => c.user),
 *   keyedProcess({
 *     processElement: (c, ctx) => ctx.timerService().registerEventTimeTimer(c.ts + 60_000),
 *     onTimer: (t, ctx) => `${ctx.getCurrentKey()} idle since ${t - 60_000}`,
 *   }),
 * )
 * ```
 * @throws InvalidArgumentError (at call time) when `fn` has no `processElement()` (or a non-function `onTimer`).
 * @throws NotKeyedError (as an error notification) on a record without a key; UserFunctionError when the
 * function throws; StateError when a state name is re-registered with another kind; InvalidTimestampError
 * when a timer is registered at NaN, ±Infinity or a non-number.
 * @see process, Flink's `KeyedProcessFunction`
 */
export function keyedProcess<K extends Key, I, O>(
  fn: KeyedProcessFunction<K, I, O>,
  options?: OperatorOptions,
): OperatorFunction<StreamElement<I, K> | StreamRecord<I, Key>, StreamElement<O, K>> {
  const name = options?.name ?? 'keyedProcess';
  checkOptions('keyedProcess', options);
  checkMethods({ operator: name, uid: options?.uid }, 'fn', fn, ['processElement'], ['onTimer', 'open', 'close']);
  return operateElements<I, StreamElement<O, K>>({ name, options }, (destination, origin) => {
    let runtime: RuntimeContext | undefined;
    let timers!: InternalTimerService<undefined>;
    let opened = false;
    let timestamp: Timestamp | undefined;
    let key: Key | undefined;
    let domain: TimeDomain = 'event-time';
    const backend = new HeapKeyedStateBackend(origin, () => runtime!.currentProcessingTime());

    const timerService: TimerService = {
      currentProcessingTime: () => timers.currentProcessingTime(),
      currentWatermark: () => timers.currentWatermark(),
      registerEventTimeTimer: (t) => {
        checkTimerTime(origin, t, 'registerEventTimeTimer');
        timers.registerEventTimeTimer(key, undefined, t);
      },
      registerProcessingTimeTimer: (t) => {
        checkTimerTime(origin, t, 'registerProcessingTimeTimer');
        timers.registerProcessingTimeTimer(key, undefined, t);
      },
      deleteEventTimeTimer: (t) => timers.deleteEventTimeTimer(key, undefined, t),
      deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(key, undefined, t),
    };
    const ctx: OnTimerContext<K> = {
      timestamp: () => timestamp,
      timerService: () => timerService,
      getCurrentKey: () => key as K,
      output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, timestamp, key))),
      timeDomain: () => domain,
    };
    const out: Collector<O> = { collect: (v) => destination.next(new StreamRecord(v, timestamp, key as K)) };

    const onTimer = (timer: InternalTimer<undefined>, d: TimeDomain): void => {
      key = timer.key;
      timestamp = d === 'event-time' ? timer.time : undefined;
      domain = d;
      backend.setCurrentKey(key);
      const returned = fn.onTimer?.(timer.time, ctx, out);
      if (returned !== undefined) out.collect(returned);
    };

    const checkpointing = new OperatorStateLifecycle(origin, [fn], 'keyedProcess');
    return {
      open(job) {
        runtime = createRuntimeContext(name, options, job, backend);
        timers = new InternalTimerService<undefined>({
          scheduler: runtime.scheduler,
          onEventTime: (t) => onTimer(t, 'event-time'),
          onProcessingTime: (t) => onTimer(t, 'processing-time'),
          onError: (err) => failOperator(destination, origin, err),
        });
        runtime.metrics.gauge(KEYED_STATE_ENTRIES, () => backend.numEntries());
        runtime.metrics.gauge(EVENT_TIME_TIMERS, () => timers.numEventTimeTimers());
        runtime.metrics.gauge(PROCESSING_TIME_TIMERS, () => timers.numProcessingTimeTimers());
        // restore this operator's state (by uid) from the job's restored state, then initializeState
        checkpointing.open(job, backend, timers);
        opened = true;
        fn.open?.(runtime);
      },
      barrier(b) {
        checkpointing.acknowledge(b, backend, timers);
        destination.next(b);
      },
      record(value, ts, k) {
        if (k === undefined) throw new NotKeyedError(origin);
        key = k;
        timestamp = ts;
        backend.setCurrentKey(k);
        backend.cleanupOnRecord();
        const returned = fn.processElement(value, ctx, out);
        if (returned !== undefined) out.collect(returned);
      },
      watermark(mark) {
        timers.advanceWatermark(mark.time);
        destination.next(mark);
      },
      complete() {
        // end of input: every event-time timer fires, as under the largest watermark
        if (timers.currentWatermark() < MAX_WATERMARK) timers.advanceWatermark(MAX_WATERMARK);
      },
      close() {
        if (opened) fn.close?.();
      },
      finalize() {
        timers?.dispose();
        checkpointing.close();
      },
    };
  });
}
