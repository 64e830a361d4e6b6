/**
 * The window operator for the most common window: tumbling or sliding event-time windows with the
 * default trigger, no evictor, and an incremental `reduce`/`aggregate` (optionally with a `process` or
 * `apply` that receives the pre-aggregated value). It gives exactly the results, timestamps, order,
 * side outputs, state and late-data handling of the general operator in `window-operator-internals.ts`,
 * with state laid out by window instead of by key.
 *
 * Every key of a window fires at the same watermark (`end - 1`) and is cleaned at the same time
 * (`end - 1 + allowedLateness`), so the operator keeps one table per live window, mapping each key to
 * its accumulator, and a queue of those tables in end order: no timer per key and window, and one map
 * lookup per record and window. Keys fire in the order they first entered the window, the order in
 * which the general operator registers, and so fires, their timers.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { type ErrorOrigin, NotKeyedError } from '../core/errors';
import type { MetricGroup } from '../core/metrics';
import { operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from '../core/types';
import { mapKey } from '../keyed/key-group';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import { SlidingEventTimeWindows } from './assigners/sliding-event-time-windows';
import { TumblingEventTimeWindows } from './assigners/tumbling-event-time-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import type { EvictorContext } from './evictors/evictor';
import { ProcessWindowState } from './functions/process-window-state';
import type { WindowContents } from './functions/window-contents';
import type { ProcessWindowContext, RichProcessWindowFunction } from './functions/window-functions';
import { EventTimeTrigger } from './triggers/event-time-trigger';
import type { WindowOptions } from './window-operator-internals';
import type { TimeWindow } from './windows/time-window';
import type { Window } from './windows/window';

/** The metric names the window operators share (the general operator defines and documents them). */
export interface WindowMetricNames {
  readonly lateDropped: string;
  readonly late: string;
  readonly stateSize: string;
  readonly keysWithState: string;
  readonly keyEntries: string;
}

/**
 * True when `windowOperator` can use {@link incrementalEventWindowOperator}: a built-in tumbling or
 * sliding event-time assigner, its default trigger, no evictor, `reduce` or `aggregate`, and no rich
 * process function with a `clear` hook (the general operator interleaves `clear` calls with firings by
 * timer order, which this operator does not track).
 */
export function isIncrementalEventWindow<T, W extends Window>(assigner: WindowAssigner<T, W>, options: WindowOptions<T, unknown, unknown, W> | undefined): boolean {
  if (!(assigner instanceof TumblingEventTimeWindows || assigner instanceof SlidingEventTimeWindows)) return false;
  if (options === undefined) return false;
  return (
    (options.trigger === undefined || options.trigger === EventTimeTrigger.create()) &&
    options.evictor === undefined &&
    (typeof options.process !== 'object' || options.process.clear === undefined) &&
    (options.reduce !== undefined || options.aggregate !== undefined)
  );
}

/** One live window: its key → accumulator table, in the order keys entered it. */
class WindowTable {
  readonly start: Timestamp;
  readonly maxTimestamp: Timestamp;
  /** Map key (see `mapKey`) → accumulator. */
  readonly accumulators = new Map<unknown, unknown>();
  /** Map key → the key itself, for array keys only. */
  arrayKeys: Map<unknown, Key> | undefined = undefined;
  constructor(
    readonly window: TimeWindow,
    /** When the table is dropped: `maxTimestamp + allowedLateness`, or MAX_WATERMARK for never. */
    readonly cleanup: Timestamp,
  ) {
    this.start = window.start;
    this.maxTimestamp = window.end - 1;
  }
}

/** A queue of tables sorted by start (and so by end and cleanup time: all windows have one size). */
class TableQueue {
  private items: WindowTable[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  peek(): WindowTable | undefined {
    return this.items[this.head];
  }
  shift(): WindowTable {
    const t = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return t;
  }
  /** Inserts in start order; new windows are almost always the latest, so the scan is short. */
  insert(t: WindowTable): void {
    const items = this.items;
    let i = items.length;
    while (i > this.head && items[i - 1]!.start > t.start) i--;
    if (i === items.length) items.push(t);
    else items.splice(i, 0, t);
  }
  *[Symbol.iterator](): Iterator<WindowTable> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

const ALL = '\u0000all';

/**
 * Builds the incremental event-time window operator (only when {@link isIncrementalEventWindow} holds).
 * A window's result is `contents.result(accumulator)`, or what the `process`/`apply` function collects
 * from it, emitted with timestamp `end - 1` and the key.
 */
export function incrementalEventWindowOperator<T, R>(
  name: string,
  origin: ErrorOrigin,
  assigner: WindowAssigner<T, TimeWindow>,
  options: WindowOptions<T, R, any, any>,
  contents: WindowContents<T, unknown, R, TimeWindow>,
  lateness: number,
  keyed: boolean,
  metricNames: WindowMetricNames,
): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  const result = contents.result!;
  const add = contents.add;
  const lateOutput = options.lateOutput;
  const full = options.process !== undefined || options.apply !== undefined;
  const processFn = options.process;
  const rich = processFn !== undefined && typeof processFn !== 'function' ? (processFn as RichProcessWindowFunction<unknown, R, unknown, TimeWindow>) : undefined;
  const cleanupOf = (maxTimestamp: Timestamp): Timestamp => {
    const t = maxTimestamp + lateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  };

  return operateElements<T, StreamElement<R>>({ name, options }, (destination) => {
    const tables = new Map<Timestamp, WindowTable>();
    /** Tables not fired yet, in end order. */
    const pending = new TableQueue();
    /** Fired tables waiting for the watermark to pass their cleanup time, in cleanup order. */
    const firedTables = new TableQueue();
    let watermark = MIN_WATERMARK;
    let runtime: RuntimeContext | undefined;
    let metrics: MetricGroup | undefined;
    let keyedState: HeapKeyedStateBackend | undefined;
    let states: ProcessWindowState | undefined;
    let opened = false;
    // The tables of the last window array the assigner returned: the built-in assigners return the
    // same immutable array while timestamps stay in one window (or slide), and a table can only be
    // dropped once its window is late, which the loop below checks before it uses the table.
    let lastWindows: readonly TimeWindow[] | undefined;
    let lastTables: (WindowTable | undefined)[] = [];
    const assignerCtx = { currentProcessingTime: () => runtime!.currentProcessingTime() };

    // the (window, key) the process function's context acts on
    let table!: WindowTable;
    let keyNow: Key | undefined;
    const processCtx: ProcessWindowContext<TimeWindow> & EvictorContext = {
      get window() {
        return table.window;
      },
      currentWatermark: () => watermark,
      currentProcessingTime: () => runtime!.currentProcessingTime(),
      windowState: () => states!.windowStore,
      globalState: () => states!.globalStore,
      output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, table.maxTimestamp, keyNow))),
    };
    const out: Collector<R> = {
      collect: (v) => destination.next(new StreamRecord(v, table.maxTimestamp, keyNow)),
    };

    const emitOne = (t: WindowTable, mk: unknown, acc: unknown): void => {
      const key = keyed ? (t.arrayKeys?.get(mk) ?? (mk as Key)) : undefined;
      if (!full) {
        destination.next(new StreamRecord(result(acc) as R, t.maxTimestamp, key));
        return;
      }
      table = t;
      keyNow = key;
      if (states !== undefined) {
        keyedState?.setCurrentKey(key);
        states.enter(mk, key, t.start);
      }
      contents.emit(key, t.window, acc, processCtx, out);
    };
    const tableOf = (w: TimeWindow): WindowTable => {
      let t = tables.get(w.start);
      if (t === undefined) {
        t = new WindowTable(w, cleanupOf(w.end - 1));
        tables.set(w.start, t);
        if (t.maxTimestamp <= watermark) {
          // a window born after its end (late data within the allowed lateness) waits only for cleanup
          if (t.cleanup !== MAX_WATERMARK) firedTables.insert(t);
        } else {
          pending.insert(t);
        }
      }
      return t;
    };
    const liveSlots = (): number => {
      let n = 0;
      for (const t of tables.values()) n += t.accumulators.size;
      return n;
    };
    const keysWithState = (): number => {
      const seen = states?.keysWithGlobalState() ?? new Set<unknown>();
      for (const t of tables.values()) for (const mk of t.accumulators.keys()) seen.add(mk);
      return seen.size;
    };

    return {
      open(job) {
        // a process window function gets keyed state (per key, across windows): in its runtime context
        // when rich, and as its context's globalState()
        const now = (): Timestamp => runtime!.currentProcessingTime();
        if (processFn !== undefined && keyed) keyedState = new HeapKeyedStateBackend(origin, now);
        if (processFn !== undefined) states = new ProcessWindowState(origin, now, keyedState, false);
        runtime = createRuntimeContext(name, options, job, keyedState);
        metrics = runtime.metrics;
        metrics.counter(metricNames.lateDropped);
        metrics.counter(metricNames.late);
        metrics.gauge(metricNames.stateSize, liveSlots);
        metrics.gauge(metricNames.keysWithState, keysWithState);
        metrics.gauge(metricNames.keyEntries, keysWithState);
        opened = true;
        rich?.open?.(runtime);
      },
      record(value, timestamp, key) {
        if (keyed && key === undefined) throw new NotKeyedError(origin, `${name} (a keyed window)`);
        const windows = assigner.assignWindows(value, timestamp, assignerCtx);
        if (windows !== lastWindows) {
          lastWindows = windows;
          lastTables = new Array<WindowTable | undefined>(windows.length);
        }
        const mk = !keyed ? ALL : typeof key === 'object' ? mapKey(key) : key;
        let skipped = true;
        for (let i = 0; i < windows.length; i++) {
          const w = windows[i]!;
          const maxTimestamp = w.end - 1;
          if (cleanupOf(maxTimestamp) <= watermark) continue; // too late for this window
          skipped = false;
          let t = lastTables[i];
          if (t === undefined) lastTables[i] = t = tableOf(w);
          const accs = t.accumulators;
          const before = accs.get(mk);
          const acc = add(before, value, timestamp);
          if (acc !== before) accs.set(mk, acc);
          if (before === undefined && keyed && typeof key === 'object') (t.arrayKeys ??= new Map()).set(mk, key);
          // the default trigger fires a window at once for an element within the allowed lateness
          if (maxTimestamp <= watermark) emitOne(t, mk, acc);
        }
        if (skipped && timestamp !== undefined && timestamp + lateness <= watermark) {
          metrics!.counter(metricNames.late).inc();
          if (lateOutput !== undefined) destination.next(new SideOutput(lateOutput, new StreamRecord(value, timestamp, key)));
          else metrics!.counter(metricNames.lateDropped).inc();
        }
      },
      watermark(mark) {
        const time = mark.time;
        if (time > watermark) {
          watermark = time;
          while (pending.length > 0 && pending.peek()!.maxTimestamp <= time) {
            const t = pending.shift();
            for (const [mk, acc] of t.accumulators) emitOne(t, mk, acc);
            if (t.cleanup !== MAX_WATERMARK) firedTables.insert(t);
          }
          while (firedTables.length > 0 && firedTables.peek()!.cleanup <= time) {
            const t = firedTables.shift();
            tables.delete(t.start);
            if (states !== undefined) for (const mk of t.accumulators.keys()) states.clearWindow(mk, t.start);
          }
        }
        destination.next(mark);
      },
      finalize() {
        if (opened) rich?.close?.();
      },
    };
  });
}
