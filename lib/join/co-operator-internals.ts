/**
 * Shared by the operators after `connect` (`coMap`, `coFlatMap`, `coProcess`, `broadcastProcess`,
 * `keyedBroadcastProcess`). Both inputs go through an input valve (minimum watermark, aligned barriers);
 * this helper runs a two-input function over them with the runtime context, keyed state scoped to each record's key, optional per-key timers,
 * operator and broadcast state, `CheckpointedFunction` hooks, and a snapshot at every barrier.
 * @module
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { checkTimerTime } from '../core/check-timestamp';
import { type ErrorOrigin, InvalidArgumentError, InvalidKeyError, NotKeyedError } from '../core/errors';
import { InputValve } from '../core/input-valve';
import { failOperator, operateElements, subscribeInput } from '../core/operate-elements';
import type { JobContext } from '../core/start-element';
import type { StreamRecord } from '../core/stream-record';
import type { Watermark } from '../core/watermark';
import { createRuntimeContext, type OperatorOptions, type RichFunction, type RuntimeContext } from '../core/runtime-context';
import { ElementKind, elementKind, type StreamElement } from '../core/stream-element';
import { type Key, MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from '../core/types';
import type { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import { type HeapOperatorStateBackend, OperatorStateLifecycle } from '../state/operator-state';
import { type InternalTimer, InternalTimerService, type TimeDomain, type TimerService } from '../time/timer-service';
import { ConnectedStreams } from './connect';
import { TaggedValue } from './tagged-union-internals';

/** What a two-input operator's handlers can use. */
export interface CoEnv<O> {
  readonly destination: Subscriber<StreamElement<O>>;
  readonly origin: ErrorOrigin;
  readonly keyed: HeapKeyedStateBackend;
  readonly operatorState: HeapOperatorStateBackend;
  /** The per-key timer service for user functions (refuses without a current key). */
  readonly timerService: TimerService;
  watermark(): Timestamp;
  processingTime(): Timestamp;
}

/** The per-record handlers a two-input operator builds once per subscription. */
export interface CoHandlers<L, R> {
  first(value: L, timestamp: Timestamp | undefined, key: Key | undefined): void;
  second(value: R, timestamp: Timestamp | undefined, key: Key | undefined): void;
  onTimer?(timer: InternalTimer<undefined>, domain: TimeDomain): void;
}

/** How a two-input operator is set up. */
export interface CoSetup<L, R, O> {
  readonly name: string;
  /** The operator's kind (`coMap`...), recorded in checkpoints. */
  readonly kind: string;
  readonly options: OperatorOptions | undefined;
  /** User function objects: opened and closed, and their `CheckpointedFunction` hooks run. */
  readonly fns: readonly unknown[];
  /** Scope keyed state to each record's key (off for plain functions, to keep the per-record path short). */
  readonly keyedState: boolean;
  /** Keep per-key timers. */
  readonly timers: boolean;
  /** The second input is a broadcast stream: its records have no current key. */
  readonly broadcast: boolean;
  build(env: CoEnv<O>): CoHandlers<L, R>;
}

/** One subscription of a two-input operator: its state, timers and per-input record handlers. */
interface CoInstance<L, R> {
  open(job: JobContext | undefined): void;
  first(value: L, timestamp: Timestamp | undefined, key: Key | undefined): void;
  second(value: R, timestamp: Timestamp | undefined, key: Key | undefined): void;
  watermark(mark: Watermark): void;
  barrier(barrier: CheckpointBarrier): void;
  /** End of input: fires what is left (every event-time timer). */
  complete(): void;
  /** Closes the user's functions, once (at end of input before completing downstream, else at teardown). */
  close(): void;
  finalize(): void;
}

function coInstance<L, R, O>(setup: CoSetup<L, R, O>, destination: Subscriber<StreamElement<O>>, origin: ErrorOrigin): CoInstance<L, R> {
  const { name, options } = setup;
  let runtime: RuntimeContext | undefined;
  let timers: InternalTimerService<undefined> | undefined;
  let watermark: Timestamp = MIN_WATERMARK;
  let currentKey: Key | undefined;
  let opened = false;
  let context: JobContext | undefined;
  const keyed = new HeapKeyedStateBackend(origin, () => (runtime === undefined ? 0 : runtime.currentProcessingTime()));
  const lifecycle = new OperatorStateLifecycle(origin, setup.fns, setup.kind);
  const needTimers = (): InternalTimerService<undefined> => {
    if (currentKey === undefined || timers === undefined) throw new NotKeyedError(origin, 'setting timers');
    return timers;
  };
  const timerService: TimerService = {
    currentProcessingTime: () => (runtime === undefined ? 0 : runtime.currentProcessingTime()),
    currentWatermark: () => watermark,
    registerEventTimeTimer: (t) => {
      checkTimerTime(origin, t, 'registerEventTimeTimer');
      needTimers().registerEventTimeTimer(currentKey, undefined, t);
    },
    registerProcessingTimeTimer: (t) => {
      checkTimerTime(origin, t, 'registerProcessingTimeTimer');
      needTimers().registerProcessingTimeTimer(currentKey, undefined, t);
    },
    deleteEventTimeTimer: (t) => needTimers().deleteEventTimeTimer(currentKey, undefined, t),
    deleteProcessingTimeTimer: (t) => needTimers().deleteProcessingTimeTimer(currentKey, undefined, t),
  };
  const env: CoEnv<O> = {
    destination,
    origin,
    keyed,
    operatorState: lifecycle.backend,
    timerService,
    watermark: () => watermark,
    processingTime: () => timerService.currentProcessingTime(),
  };
  const handlers = setup.build(env);
  const fire = (timer: InternalTimer<undefined>, domain: TimeDomain): void => {
    currentKey = timer.key;
    keyed.setCurrentKey(timer.key);
    handlers.onTimer?.(timer, domain);
  };
  const keyedState = setup.keyedState || setup.timers;
  // both inputs must be keyed by the same kind of key (Flink checks the key types when it builds the job)
  const keyKinds: [string | undefined, string | undefined] = [undefined, undefined];
  const checkKeyKind = (side: 0 | 1, key: Key): void => {
    const kind = Array.isArray(key) ? 'array' : typeof key;
    keyKinds[side] = kind;
    const other = keyKinds[1 - side];
    if (other !== undefined && other !== kind) {
      throw new InvalidKeyError(origin, key, `the inputs of ${name} are keyed by different kinds of key (${keyKinds[0]} and ${keyKinds[1]}): key both inputs the same way`);
    }
  };
  return {
    open(job) {
      context = job;
      runtime = createRuntimeContext(name, options, job, keyed);
      if (setup.timers) {
        timers = new InternalTimerService<undefined>({
          scheduler: runtime.scheduler,
          onEventTime: (t) => fire(t, 'event-time'),
          onProcessingTime: (t) => fire(t, 'processing-time'),
          onError: (err) => failOperator(destination, origin, err),
        });
      }
      lifecycle.open(job, keyedState ? keyed : undefined, timers);
      opened = true;
      for (const fn of setup.fns) (fn as RichFunction).open?.(runtime);
    },
    first(value, ts, key) {
      if (keyedState) {
        if (key !== undefined && keyKinds[0] === undefined && !setup.broadcast) checkKeyKind(0, key);
        currentKey = key;
        keyed.setCurrentKey(key);
        keyed.cleanupOnRecord();
      }
      handlers.first(value, ts, key);
    },
    second(value, ts, key) {
      if (keyedState) {
        if (key !== undefined && keyKinds[1] === undefined && !setup.broadcast) checkKeyKind(1, key);
        currentKey = setup.broadcast ? undefined : key;
        keyed.setCurrentKey(currentKey);
        keyed.cleanupOnRecord();
      }
      handlers.second(value, ts, setup.broadcast ? undefined : key);
    },
    watermark(mark) {
      if (mark.time > watermark) watermark = mark.time;
      timers?.advanceWatermark(mark.time);
      destination.next(mark);
    },
    barrier(b) {
      lifecycle.acknowledge(b, keyedState ? keyed : undefined, timers);
      destination.next(b);
    },
    complete() {
      // stopped with a savepoint (no drain): not an end of input
      if (context?.isStopped?.() === true) return;
      // end of input: every event-time timer fires, as under the largest watermark
      watermark = MAX_WATERMARK;
      if (timers !== undefined && timers.currentWatermark() < MAX_WATERMARK) timers.advanceWatermark(MAX_WATERMARK);
    },
    close() {
      if (!opened) return;
      opened = false;
      for (const fn of setup.fns) (fn as RichFunction).close?.();
    },
    finalize() {
      timers?.dispose();
      lifecycle.close();
    },
  };
}

/**
 * Builds a two-input operator. Right after `connect` (the usual case) it subscribes both inputs itself
 * through an input valve, so records reach the function without being tagged; on any other stream of
 * tagged values it runs as a one-input operator.
 */
export function coOperator<L, R, O>(setup: CoSetup<L, R, O>): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const { name, options } = setup;
  const origin: ErrorOrigin = { operator: options?.name ?? name, uid: options?.uid };
  const tagged = operateElements<TaggedValue<L, R>, StreamElement<O>>({ name, options }, (destination, o) => {
    const co = coInstance(setup, destination, o);
    return {
      open: (job) => co.open(job),
      record(value, ts, key) {
        if (!(value instanceof TaggedValue)) {
          throw new InvalidArgumentError(o, 'source', value, `must be two connected streams: apply connect(other) right before ${name}`);
        }
        if (value.side === 0) co.first(value.value as L, ts, key);
        else co.second(value.value as R, ts, key);
      },
      watermark: (mark) => co.watermark(mark),
      barrier: (b) => co.barrier(b),
      complete: () => co.complete(),
      close: () => co.close(),
      finalize: () => co.finalize(),
    };
  });
  return (source) => {
    if (!(source instanceof ConnectedStreams)) return tagged(source);
    const { first, second } = source as ConnectedStreams<L, R>;
    return new Observable<StreamElement<O>>((subscriber) => {
      const d = subscriber as Subscriber<unknown>;
      const co = coInstance(setup, subscriber, origin);
      let opened = false;
      const open = (job: JobContext | undefined): void => {
        if (opened) return;
        opened = true;
        co.open(job);
      };
      const valve = new InputValve(2, {
        element: (i, el) => {
          if (!opened) open(undefined);
          const kind = elementKind(el);
          if (kind === ElementKind.Record) {
            const r = el as StreamRecord<unknown>;
            if (i === 0) co.first(r.value as L, r.timestamp, r.key);
            else co.second(r.value as R, r.timestamp, r.key);
          } else if (kind === ElementKind.SideOutput) {
            d.next(el);
          } else if (i === 0) co.first(el as L, undefined, undefined);
          else co.second(el as R, undefined, undefined);
        },
        watermark: (mark) => {
          if (!opened) open(undefined);
          co.watermark(mark);
        },
        status: (status) => d.next(status),
        barrier: (b) => {
          if (!opened) open(undefined);
          co.barrier(b);
        },
        start: (start) => {
          open(start.context);
          d.next(start);
        },
        end: () => {
          if (!opened) open(undefined);
          co.complete();
          if (d.closed) return;
          co.close();
          d.complete();
        },
      }, { name: origin.operator });
      subscribeInput(first, d, { next: (x) => valve.push(0, x), error: (e) => d.error(e), complete: () => valve.complete(0) }, origin);
      if (!d.closed) subscribeInput(second, d, { next: (x) => valve.push(1, x), error: (e) => d.error(e), complete: () => valve.complete(1) }, origin);
      return () => {
        co.close();
        co.finalize();
      };
    });
  };
}

/** The broadcast-state descriptors of a `BroadcastConnectedStreams` source, checked by name. */
export function broadcastDescriptorsOf(descriptors: readonly MapStateDescriptor<unknown, unknown>[]): Map<string, MapStateDescriptor<unknown, unknown>> {
  return new Map(descriptors.map((d) => [d.name, d]));
}
