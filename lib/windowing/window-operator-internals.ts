/**
 * The window operator, composed from its parts: an assigner (which windows), a trigger (when to fire),
 * an optional evictor, the window contents strategy (incremental or buffered, from the window
 * functions), a merging window set per key for sessions, and the timer service. Per-key state lives in
 * one Map inside one subscription.
 *
 * Semantics follow Flink's WindowOperator: an element goes to every window the assigner gives that is
 * not late (`maxTimestamp + allowedLateness <= watermark`); the trigger decides FIRE/PURGE on elements
 * and timers; window state is removed when the watermark (processing time, for processing-time windows)
 * reaches `maxTimestamp + allowedLateness`; an element for which every window was late is late: sent to
 * `lateOutput` when given, and counted either way.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import { checkTimerTime } from '../core/check-timestamp';
import { CheckpointError, type ErrorOrigin, InvalidArgumentError, NotKeyedError } from '../core/errors';
import type { MetricGroup } from '../core/metrics';
import { failOperator, operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MAX_WATERMARK, type Timestamp } from '../core/types';
import { mapKey } from '../keyed/key-group';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import { type InternalTimer, InternalTimerService, type NumberedTimer } from '../time/timer-service';
import { isMerging, type WindowAssigner } from './assigners/window-assigner';
import type { Evictor, EvictorContext } from './evictors/evictor';
import { ProcessWindowState } from './functions/process-window-state';
import { type WindowContents, windowContents } from './functions/window-contents';
import { incrementalEventWindowOperator, isIncrementalEventWindow } from './incremental-event-window-operator';
import { incrementalSessionWindowOperator, isIncrementalSessionWindow } from './incremental-session-window-operator';
import type {
  AggregateFunction,
  ProcessWindowContext,
  ProcessWindowFunction,
  RichProcessWindowFunction,
  WindowFunction,
  WindowReduceFunction,
} from './functions/window-functions';
import { type IdleKeyEntry, IdleKeys } from './idle-keys';
import { MergingWindowSet } from './merging-window-set';
import { isFire, isPurge, type OnMergeContext, type Trigger, type TriggerState, type TriggerStateDescriptor } from './triggers/trigger';
import { sameWindow, type TimeWindow } from './windows/time-window';
import { cleanupTime as windowCleanupTime, type Window } from './windows/window';
import { checkWindowArguments } from './window-validation-internals';
import {
  deserializeWindowState,
  KEY_FIELD,
  keyField,
  keyOfField,
  type PartWriter,
  serializeWindowState,
  WindowCheckpoints,
  type WindowData,
  windowData,
  windowOf,
} from './window-checkpoints';

/**
 * Options of the window operators. At most one of `reduce`/`aggregate` (incremental) and one of
 * `process`/`apply` (full window); `reduce`/`aggregate` with `process`/`apply` gives the full function
 * the single pre-aggregated value. With no function at all, the output is the array of the window's
 * elements.
 */
export interface WindowOptions<T, R, K = Key, W extends Window = Window> extends OperatorOptions {
  /**
   * Stable operator id, under which the window's state (contents, trigger state, timers, watermark) is
   * stored in checkpoints and savepoints: required when the job checkpoints (a `CheckpointError` names
   * the operator otherwise), unique in the job, and kept across versions of the job so a restart finds
   * its state. See docs/checkpoints.md, "Window operators".
   * @example `tumblingEventWindow(60_000, { aggregate: windowCount(), uid: 'clicks-per-minute' })`
   */
  uid?: string;
  /** Replaces the assigner's default trigger. */
  trigger?: Trigger<T, W>;
  /** Removes elements before/after the function runs (the window then buffers every element). */
  evictor?: Evictor<T, W>;
  /** How long (ms of event time) after a window's end late elements still update it (default 0). */
  allowedLateness?: number;
  /** Where elements too late for every window go; they are counted either way. */
  lateOutput?: OutputTag<T>;
  reduce?: WindowReduceFunction<T>;
  aggregate?: AggregateFunction<T, any, any>;
  process?: ProcessWindowFunction<any, R, K, W>;
  apply?: WindowFunction<any, R, K, W>;
  /**
   * Emit each result as a {@link WindowedValue} `{ key, window, value }` instead of the bare value, so the
   * key and the window travel with it past `values()` (default false).
   */
  windowed?: boolean;
}

/**
 * Flink's metric name for late elements dropped (not sent to a late output).
 * @example `metrics.counterValue(NUM_LATE_RECORDS_DROPPED)`
 */
export const NUM_LATE_RECORDS_DROPPED = 'numLateRecordsDropped';
/**
 * Every late element, dropped or sent to the late output.
 * @example `metrics.counterValue(NUM_LATE_RECORDS)`
 */
export const NUM_LATE_RECORDS = 'numLateRecords';
/**
 * Gauge: (key, window) pairs holding state right now; 0 once every window has been cleaned up.
 * @example `metrics.snapshot()[WINDOW_STATE_SIZE]` (or `windowStateSize(metrics)`)
 */
export const WINDOW_STATE_SIZE = 'windowStateSize';
/**
 * Gauge: keys with at least one window or some process-function state.
 * @example `metrics.snapshot()[KEYS_WITH_STATE]`
 */
export const KEYS_WITH_STATE = 'keysWithState';
/**
 * Gauge: per-key entries held, including those of keys without windows kept a while for reuse (swept in
 * generations, so they stay within a small multiple of the busy keys).
 * @example `metrics.snapshot()[KEY_ENTRIES]`
 */
export const KEY_ENTRIES = 'keyEntries';

function slotKey(w: Window): string | number {
  const start = (w as { start?: unknown }).start;
  return typeof start === 'number' ? start : w.id();
}

class Slot<W extends Window> {
  contents: unknown = undefined;
  /** The trigger's state values, by the operator's index of each state name (see `stateIndex`). */
  triggerState: unknown[] | undefined = undefined;
  lastEventTimer = Number.NaN;
  /** The event-time timer firing right now for this slot (already gone from the timer service). */
  firingEventTimer = Number.NaN;
  constructor(
    readonly window: W,
    /** The slot's key in its key's map (the window start for time windows). */
    readonly key: string | number = slotKey(window),
  ) {}
}

class KeyWindows<W extends Window> implements IdleKeyEntry {
  /** The key's most recently used window, checked before the map (most keys have one live window). */
  recent: Slot<W> | undefined = undefined;
  /** The key's windows: the only one held inline, a map from the second on (most keys have one). */
  private one: Slot<W> | undefined = undefined;
  private many: Map<string | number, Slot<W>> | undefined = undefined;
  /** The record count when the key lost its last window (kept for reuse), or -1 while it has one. */
  idleSince = -1;
  sessions: MergingWindowSet<W> | undefined = undefined;
  /** True once in the operator's list of keys changed since the last checkpoint (while it checkpoints). */
  changed = false;
  constructor(
    readonly key: Key | undefined,
    /** The key in its map form (see `mapKey`). */
    readonly mapKey: unknown,
  ) {}

  get slotCount(): number {
    return this.many !== undefined ? this.many.size : this.one !== undefined ? 1 : 0;
  }
  getSlot(sk: string | number): Slot<W> | undefined {
    if (this.many !== undefined) return this.many.get(sk);
    const one = this.one;
    return one !== undefined && one.key === sk ? one : undefined;
  }
  /** Adds a window the key does not hold yet. */
  addSlot(s: Slot<W>): void {
    if (this.many !== undefined) this.many.set(s.key, s);
    else if (this.one === undefined) this.one = s;
    else {
      this.many = new Map([
        [this.one.key, this.one],
        [s.key, s],
      ]);
      this.one = undefined;
    }
  }
  /** Removes a window; true when the key held it. */
  deleteSlot(sk: string | number): boolean {
    if (this.many !== undefined) {
      const had = this.many.delete(sk);
      if (this.many.size === 0) this.many = undefined;
      return had;
    }
    if (this.one === undefined || this.one.key !== sk) return false;
    this.one = undefined;
    return true;
  }
  /** The key's windows, in the order they were added (a copy). */
  slotList(): Slot<W>[] {
    return this.many !== undefined ? [...this.many.values()] : this.one !== undefined ? [this.one] : [];
  }
}

/** Builds a window operator for `assigner`; `keyed` is false for windowAll. */
export function windowOperator<T, R, W extends Window>(
  operatorName: string,
  assigner: WindowAssigner<T, W>,
  options: WindowOptions<T, R, any, W> | undefined,
  keyed: boolean,
): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  const name = options?.name ?? operatorName;
  checkWindowArguments(operatorName, assigner, options);
  const origin: ErrorOrigin = { operator: name, uid: options?.uid };
  const lateness = options?.allowedLateness ?? 0;
  if (typeof lateness !== 'number' || !Number.isFinite(lateness) || lateness < 0) {
    throw new InvalidArgumentError(origin, 'allowedLateness', lateness, 'must be a finite number of milliseconds >= 0');
  }
  const trigger = options?.trigger ?? assigner.getDefaultTrigger();
  const merging = isMerging(assigner);
  if (merging && trigger.canMerge?.() !== true) {
    throw new InvalidArgumentError(origin, 'trigger', trigger.name ?? 'custom trigger', 'must support merging (canMerge() and onMerge) to be used with session windows');
  }
  const contentsOf = windowContents<T, R, unknown, W>(name, {
    reduce: options?.reduce,
    aggregate: options?.aggregate,
    process: options?.process,
    apply: options?.apply,
    evictor: options?.evictor,
    windowed: options?.windowed,
  });
  // the common windows run on specialised operators with the same behaviour (see their modules)
  const incremental = isIncrementalEventWindow(assigner, options)
    ? incrementalEventWindowOperator
    : isIncrementalSessionWindow(assigner, options)
      ? incrementalSessionWindowOperator
      : undefined;
  if (incremental !== undefined) {
    return incremental({
      name,
      origin,
      assigner: assigner as WindowAssigner<T, W & TimeWindow>,
      options: options!,
      contents: contentsOf as WindowContents<T, unknown, R, W & TimeWindow>,
      lateness,
      keyed,
      metricNames: {
        lateDropped: NUM_LATE_RECORDS_DROPPED,
        late: NUM_LATE_RECORDS,
        stateSize: WINDOW_STATE_SIZE,
        keysWithState: KEYS_WITH_STATE,
        keyEntries: KEY_ENTRIES,
      },
    });
  }
  const eventTime = assigner.isEventTime();
  // processing-time windows have no lateness
  const cleanupTime = (w: W): Timestamp => (eventTime ? windowCleanupTime(w.maxTimestamp(), lateness) : w.maxTimestamp());
  const processFn = options?.process;
  const rich = processFn !== undefined && typeof processFn !== 'function' ? (processFn as RichProcessWindowFunction<unknown, R, unknown, W>) : undefined;
  const allKey = '\u0000all';

  return operateElements<T, StreamElement<R>>({ name, options }, (destination) => {
    const keys = new Map<unknown, KeyWindows<W>>();
    let runtime: RuntimeContext | undefined;
    let metrics: MetricGroup | undefined;
    let timers!: InternalTimerService<W>;
    let liveSlots = 0;
    let opened = false;
    // the (key, window) the trigger context and the function context currently act on
    let kw!: KeyWindows<W>;
    let slot!: Slot<W>;
    let mergedSlots: Slot<W>[] = [];
    let keyedState: HeapKeyedStateBackend | undefined;
    let states: ProcessWindowState | undefined;
    const checkpoints = new WindowCheckpoints(origin, 'general', keyed);
    /** While the operator checkpoints: the keys touched by a record or a timer since the last checkpoint. */
    let changed: KeyWindows<W>[] | undefined;

    const countLate = (n: string): void => metrics!.counter(n).inc();

    // Trigger state lives in a small array per window, indexed by state name (most triggers have one
    // state); one handle per name acts on the window the context is at when it is called, as Flink's
    // partitioned state does, so a trigger asking for its state on every element allocates nothing.
    const stateIndex = new Map<string, number>();
    const indexOf = (name: string): number => {
      let i = stateIndex.get(name);
      if (i === undefined) stateIndex.set(name, (i = stateIndex.size));
      return i;
    };
    const triggerStates = new Map<string, TriggerState<unknown>>();
    const triggerState = <S>(d: TriggerStateDescriptor<S>): TriggerState<S> => {
      let h = triggerStates.get(d.name);
      if (h === undefined) {
        const i = indexOf(d.name);
        h = {
          get: () => slot.triggerState?.[i],
          set: (v) => void ((slot.triggerState ??= [])[i] = v),
          clear: () => {
            if (slot.triggerState !== undefined) slot.triggerState[i] = undefined;
          },
        };
        triggerStates.set(d.name, h);
      }
      return h as TriggerState<S>;
    };
    const ctx: OnMergeContext & EvictorContext = {
      currentProcessingTime: () => runtime!.currentProcessingTime(),
      currentWatermark: () => timers.currentWatermark(),
      registerEventTimeTimer: (t) => {
        if (slot.lastEventTimer === t) return;
        checkTimerTime(origin, t, 'registerEventTimeTimer');
        slot.lastEventTimer = t;
        timers.registerEventTimeTimer(kw.key, slot.window, t);
      },
      registerProcessingTimeTimer: (t) => {
        checkTimerTime(origin, t, 'registerProcessingTimeTimer');
        timers.registerProcessingTimeTimer(kw.key, slot.window, t);
      },
      deleteEventTimeTimer: (t) => {
        if (slot.lastEventTimer === t) slot.lastEventTimer = Number.NaN;
        if (slot.firingEventTimer === t) return; // it just fired: nothing left to delete
        timers.deleteEventTimeTimer(kw.key, slot.window, t);
      },
      deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(kw.key, slot.window, t),
      getPartitionedState: triggerState,
      mergePartitionedState: <S>(d: TriggerStateDescriptor<S>) => {
        const i = indexOf(d.name);
        let acc = slot.triggerState?.[i] as S | undefined;
        for (const m of mergedSlots) {
          const v = m.triggerState?.[i] as S | undefined;
          if (v === undefined) continue;
          acc = acc === undefined ? v : d.merge !== undefined ? d.merge(acc, v) : v;
        }
        if (acc !== undefined) (slot.triggerState ??= [])[i] = acc;
      },
    };

    const processCtx: ProcessWindowContext<W> & EvictorContext = {
      get window() {
        return slot.window;
      },
      currentWatermark: () => timers.currentWatermark(),
      currentProcessingTime: () => runtime!.currentProcessingTime(),
      windowState: () => states!.windowStore,
      globalState: () => states!.globalStore,
      output: <X>(tag: OutputTag<X>, value: X) =>
        destination.next(new SideOutput(tag, new StreamRecord(value, slot.window.maxTimestamp(), keyed ? kw.key : undefined))),
    };
    const out: Collector<R> = {
      collect: (v) => destination.next(new StreamRecord(v, slot.window.maxTimestamp(), keyed ? kw.key : undefined)),
    };

    // Keys whose windows are all gone stay in `keys` for a while for reuse (a key usually comes back
    // in the next window), without allocating a key entry per key and window; see IdleKeys.
    const idleKeys = new IdleKeys(keys);
    const keyWindows = (key: Key | undefined): KeyWindows<W> => {
      const mk = key === undefined ? allKey : typeof key === 'object' ? mapKey(key) : key;
      let k = keys.get(mk);
      if (k === undefined) {
        k = new KeyWindows<W>(key, mk);
        if (merging) k.sessions = new MergingWindowSet(assigner);
        keys.set(mk, k);
      } else {
        idleKeys.markBusy(k);
      }
      return k;
    };
    const isEmpty = (k: KeyWindows<W>): boolean =>
      k.slotCount === 0 && (k.sessions === undefined || k.sessions.size === 0);
    const dropKeyIfEmpty = (k: KeyWindows<W>): void => {
      if (isEmpty(k)) idleKeys.markIdle(k);
    };
    const getSlot = (k: KeyWindows<W>, w: W, create: boolean): Slot<W> | undefined => {
      const recent = k.recent;
      const sk = slotKey(w);
      if (recent !== undefined && (recent.window === w || recent.key === sk)) return recent;
      let s = k.getSlot(sk);
      if (s === undefined && create) {
        s = new Slot(w, sk);
        k.addSlot(s);
        liveSlots++;
      }
      if (s !== undefined) k.recent = s;
      return s;
    };
    const removeSlot = (k: KeyWindows<W>, w: W): void => {
      const sk = slotKey(w);
      if (k.recent !== undefined && k.recent.key === sk) k.recent = undefined;
      if (k.deleteSlot(sk)) liveSlots--;
    };

    /** Points the keyed and window state at the current (key, window) before a user function runs. */
    const enterSlot = (): void => {
      if (states === undefined) return;
      keyedState?.setCurrentKey(kw.key);
      states.enter(kw.mapKey, keyed ? kw.key : undefined, slot.key);
    };
    const emit = (): void => {
      if (slot.contents === undefined) return;
      enterSlot();
      slot.contents = contentsOf.emit(keyed ? kw.key : undefined, slot.window, slot.contents, processCtx, out);
    };
    const purge = (): void => {
      slot.contents = undefined;
    };
    const registerCleanupTimer = (w: W): void => {
      const t = cleanupTime(w);
      if (t === MAX_WATERMARK) return;
      if (eventTime) ctx.registerEventTimeTimer(t);
      else ctx.registerProcessingTimeTimer(t);
    };
    const deleteCleanupTimer = (w: W): void => {
      const t = cleanupTime(w);
      if (t === MAX_WATERMARK) return;
      if (eventTime) ctx.deleteEventTimeTimer(t);
      else ctx.deleteProcessingTimeTimer(t);
    };
    const clearAllState = (): void => {
      const w = slot.window;
      purge();
      trigger.clear(w, ctx);
      if (rich?.clear !== undefined) {
        enterSlot();
        rich.clear(processCtx);
      }
      states?.clearWindow(kw.mapKey, keyed ? kw.key : undefined, slot.key);
      removeSlot(kw, w);
      kw.sessions?.retireWindow(w);
      dropKeyIfEmpty(kw);
    };

    /**
     * Drops the current slot once it holds nothing (purged contents, every trigger state cleared) when
     * its window is never cleaned up (global windows), as Flink's state backend keeps nothing for cleared
     * state: a later element of the window starts from the same blank slot, and the key can go idle.
     */
    const dropIfBlank = (w: W): void => {
      if (slot.contents !== undefined || merging || cleanupTime(w) !== MAX_WATERMARK) return;
      const ts = slot.triggerState;
      if (ts !== undefined) for (const v of ts) if (v !== undefined) return;
      removeSlot(kw, w);
      dropKeyIfEmpty(kw);
    };

    const onTimer = (timer: InternalTimer<W>, isEvent: boolean): void => {
      const mk = timer.key === undefined ? allKey : typeof timer.key === 'object' ? mapKey(timer.key) : timer.key;
      // a key without windows may have been swept: its timers still reach the trigger, with a blank slot
      const k = keys.get(mk) ?? new KeyWindows<W>(timer.key, mk);
      if (changed !== undefined && !k.changed) {
        k.changed = true;
        changed.push(k);
      }
      const w = timer.namespace;
      if (merging && (k.sessions === undefined || !k.sessions.has(w))) return; // a window merged away
      kw = k;
      const s = getSlot(k, w, false);
      slot = s ?? new Slot(w);
      if (slot.lastEventTimer === timer.time) slot.lastEventTimer = Number.NaN;
      if (isEvent) slot.firingEventTimer = timer.time;
      const r = isEvent ? trigger.onEventTime(timer.time, w, ctx) : trigger.onProcessingTime(timer.time, w, ctx);
      if (isFire(r)) emit();
      if (isPurge(r)) purge();
      if (s !== undefined) {
        if (eventTime === isEvent && timer.time === cleanupTime(w)) clearAllState();
        else if (isPurge(r)) dropIfBlank(w);
      }
      slot.firingEventTimer = Number.NaN;
      // processing-time windows see no watermarks: sweep idle keys as their timers fire
      if (!isEvent) idleKeys.sweep(false);
    };

    const addToWindow = (value: T, timestamp: Timestamp | undefined, w: W): void => {
      slot = getSlot(kw, w, true)!;
      slot.contents = contentsOf.add(slot.contents, value, timestamp);
      const r = trigger.onElement(value, timestamp, w, ctx);
      if (isFire(r)) emit();
      if (isPurge(r)) purge();
      registerCleanupTimer(w);
      if (isPurge(r)) dropIfBlank(w);
    };

    const isWindowLate = (w: W): boolean => eventTime && cleanupTime(w) <= timers.currentWatermark();
    const assignerCtx = { currentProcessingTime: () => runtime!.currentProcessingTime() };

    /**
     * A key's state in snapshot form: its windows (contents and trigger state by state name), its active
     * session windows, and its event- and processing-time timers with their registration numbers; or
     * undefined when it holds nothing.
     */
    const keyRecord = (key: Key | undefined, k: KeyWindows<W> | undefined): string | undefined => {
      const slots = k?.slotList() ?? [];
      const sessions = k?.sessions?.toArray() ?? [];
      const t = timers.keyTimers(key);
      if (slots.length === 0 && sessions.length === 0 && t.eventTime.length === 0 && t.processingTime.length === 0) return undefined;
      const names = [...stateIndex.keys()];
      const timerData = (list: NumberedTimer<W>[]): unknown[] => list.map((x) => [windowData(origin, x.namespace), x.time, x.seq]);
      return serializeWindowState([
        slots.map((s) => {
          const ts: Array<[string, unknown]> = [];
          if (s.triggerState !== undefined) s.triggerState.forEach((v, i) => v !== undefined && ts.push([names[i]!, v]));
          return [windowData(origin, s.window), s.contents, ts];
        }),
        sessions.map((w) => windowData(origin, w)),
        timerData(t.eventTime),
        timerData(t.processingTime),
      ]);
    };
    const snapshot = (full: boolean, put: PartWriter): void => {
      const list = changed ?? [];
      if (changed !== undefined) changed = [];
      for (const k of list) k.changed = false;
      if (full) {
        for (const k of keys.values()) {
          const r = keyRecord(k.key, k);
          if (r !== undefined) put(k.key, keyField(k.key), r);
        }
        // keys without windows whose timers still wait (swept keys, triggers that keep timers)
        for (const key of timers.timerKeys()) {
          if (keys.has(key === undefined ? allKey : typeof key === 'object' ? mapKey(key) : key)) continue;
          put(key, keyField(key), keyRecord(key, undefined)!);
        }
      } else {
        const seen = new Set<unknown>();
        for (const k of list) {
          if (seen.has(k.mapKey)) continue;
          seen.add(k.mapKey);
          const r = keyRecord(k.key, keys.get(k.mapKey));
          put(k.key, keyField(k.key), r ?? TOMBSTONE);
        }
      }
      states?.snapshotParts(full, put);
    };
    const restore = (fields: (read: (field: string, value: string) => void) => void, watermark: Timestamp): void => {
      timers.restoreWatermark(watermark);
      const eventTimers: NumberedTimer<W>[] = [];
      const processingTimers: NumberedTimer<W>[] = [];
      fields((field, value) => {
        if (states?.restoreField(field, value) === true) return;
        if (!field.startsWith(KEY_FIELD)) throw new CheckpointError(origin, `the restored state has a field this operator does not know (${JSON.stringify(field.slice(0, 40))}): the snapshot is corrupt`);
        const key = keyOfField(field);
        const [slots, sessions, ev, pr] = deserializeWindowState(value) as [
          Array<[WindowData, unknown, Array<[string, unknown]>]>,
          WindowData[],
          Array<[WindowData, number, number]>,
          Array<[WindowData, number, number]>,
        ];
        const k = keyWindows(keyed ? key : undefined);
        for (const [wd, contents, ts] of slots) {
          const s = new Slot(windowOf(origin, wd) as W);
          s.contents = contents;
          for (const [name, v] of ts) (s.triggerState ??= [])[indexOf(name)] = v;
          k.addSlot(s);
          liveSlots++;
        }
        if (sessions.length > 0) k.sessions!.restore(sessions.map((wd) => windowOf(origin, wd) as W));
        for (const [wd, time, seq] of ev) eventTimers.push({ key: k.key, namespace: windowOf(origin, wd) as W, time, seq });
        for (const [wd, time, seq] of pr) processingTimers.push({ key: k.key, namespace: windowOf(origin, wd) as W, time, seq });
        dropKeyIfEmpty(k);
      });
      timers.restoreTimers(eventTimers, processingTimers);
      states?.finishRestore();
    };

    return {
      open(job) {
        // a process window function gets keyed state (per key, across windows): in its runtime context
        // when rich, and as its context's globalState()
        const now = (): Timestamp => runtime!.currentProcessingTime();
        if (processFn !== undefined && keyed) keyedState = new HeapKeyedStateBackend(origin, now);
        if (processFn !== undefined) states = new ProcessWindowState(origin, now, keyedState, merging);
        runtime = createRuntimeContext(name, options, job, keyedState);
        metrics = runtime.metrics;
        metrics.counter(NUM_LATE_RECORDS_DROPPED);
        metrics.counter(NUM_LATE_RECORDS);
        metrics.gauge(WINDOW_STATE_SIZE, () => liveSlots);
        metrics.gauge(KEYS_WITH_STATE, () => {
          if (states === undefined) return keys.size - idleKeys.size;
          const withState = states.keysWithGlobalState();
          for (const [mk, k] of keys) if (k.idleSince < 0) withState.add(mk);
          return withState.size;
        });
        metrics.gauge(KEY_ENTRIES, () => keys.size);
        timers = new InternalTimerService<W>({
          scheduler: runtime.scheduler,
          sameNamespace: sameWindow,
          onEventTime: (t) => onTimer(t, true),
          onProcessingTime: (t) => onTimer(t, false),
          onError: (err) => failOperator(destination, origin, err),
        });
        checkpoints.open(job, restore);
        if (checkpoints.registered) {
          changed = [];
          states?.startChangeTracking();
        }
        opened = true;
        rich?.open?.(runtime);
      },
      barrier(barrier) {
        checkpoints.acknowledge(barrier, () => runtime!.currentProcessingTime(), timers.currentWatermark(), snapshot);
        destination.next(barrier);
      },
      record(value, timestamp, key) {
        if (keyed && key === undefined) throw new NotKeyedError(origin, `${name} (a keyed window)`);
        idleKeys.record();
        kw = keyWindows(keyed ? key : undefined);
        if (changed !== undefined && !kw.changed) {
          kw.changed = true;
          changed.push(kw);
        }
        const windows = assigner.assignWindows(value, timestamp, assignerCtx);
        let skipped = true;
        for (const w of windows) {
          if (merging) {
            const k = kw;
            const actual = k.sessions!.addWindow(w, (result, mergedWindows) => {
              if (eventTime && cleanupTime(result) <= timers.currentWatermark()) {
                throw new InvalidArgumentError(origin, 'session merge', result.toString(), 'would end before the current watermark');
              }
              const resultSlot = new Slot(result);
              mergedSlots = mergedWindows.map((m) => getSlot(k, m, false)).filter((s): s is Slot<W> => s !== undefined);
              slot = resultSlot;
              trigger.onMerge!(result, ctx);
              const carried = resultSlot.lastEventTimer;
              for (const m of mergedSlots) {
                slot = m;
                trigger.clear(m.window, ctx);
                deleteCleanupTimer(m.window);
              }
              let contents: unknown = undefined;
              for (const m of mergedSlots) {
                if (m.contents !== undefined) contents = contents === undefined ? m.contents : contentsOf.merge(contents, m.contents);
                removeSlot(k, m.window);
              }
              resultSlot.contents = contents;
              resultSlot.lastEventTimer = carried;
              k.addSlot(resultSlot);
              liveSlots++;
              mergedSlots = [];
            });
            kw = k;
            if (isWindowLate(actual)) {
              k.sessions!.retireWindow(actual);
              continue;
            }
            skipped = false;
            addToWindow(value, timestamp, actual);
          } else {
            if (isWindowLate(w)) continue;
            skipped = false;
            addToWindow(value, timestamp, w);
          }
        }
        if (skipped) {
          if (eventTime && timestamp !== undefined && timestamp + lateness <= timers.currentWatermark()) {
            countLate(NUM_LATE_RECORDS);
            const late = options?.lateOutput;
            if (late !== undefined) destination.next(new SideOutput(late, new StreamRecord(value, timestamp, key)));
            else countLate(NUM_LATE_RECORDS_DROPPED);
          }
          dropKeyIfEmpty(kw);
        }
      },
      watermark(mark) {
        timers.advanceWatermark(mark.time);
        idleKeys.sweep(mark.time >= MAX_WATERMARK);
        destination.next(mark);
      },
      complete() {
        // bounded input in batch mode: processing-time windows fire as if time ran to the end
        if (runtime?.executionMode === 'batch' && !eventTime) {
          for (const k of [...keys.values()]) {
            for (const s of k.slotList()) {
              kw = k;
              slot = s;
              emit();
              clearAllState();
            }
          }
        }
      },
      close() {
        if (opened) rich?.close?.();
      },
      finalize() {
        checkpoints.close();
        timers?.dispose();
      },
    };
  });
}

/** Inspects a metric group for the window state size gauge: windows holding state (for tests and dashboards). */
export function windowStateSize(metrics: MetricGroup): number {
  return metrics.snapshot()[WINDOW_STATE_SIZE] ?? 0;
}
