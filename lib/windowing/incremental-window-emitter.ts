/**
 * What the specialised incremental window operators (time windows in
 * `incremental-event-window-operator.ts`, sessions in `incremental-session-window-operator.ts`) share:
 * the runtime context and metrics, the process function's context and state, emitting a window's result
 * and routing late elements. Each operator keeps its own window layout and decides when windows fire.
 * @module
 */
import type { Subscriber } from 'rxjs';
import type { ErrorOrigin } from '../core/errors';
import type { JobContext } from '../core/start-element';
import type { MetricGroup } from '../core/metrics';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MIN_WATERMARK, type Timestamp } from '../core/types';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import type { WindowAssigner } from './assigners/window-assigner';
import type { EvictorContext } from './evictors/evictor';
import { ProcessWindowState } from './functions/process-window-state';
import type { WindowContents } from './functions/window-contents';
import type { ProcessWindowContext, RichProcessWindowFunction } from './functions/window-functions';
import { EventTimeTrigger } from './triggers/event-time-trigger';
import type { WindowOptions } from './window-operator-internals';
import type { PartWriter } from './window-checkpoints';
import type { TimeWindow } from './windows/time-window';

/** The metric names the window operators share (the general operator defines and documents them). */
export interface WindowMetricNames {
  readonly lateDropped: string;
  readonly late: string;
  readonly stateSize: string;
  readonly keysWithState: string;
  readonly keyEntries: string;
}

/**
 * True when window options suit an incremental window operator: the default trigger, no evictor,
 * `reduce` or `aggregate`, and no rich process function with a `clear` hook (the general operator
 * interleaves `clear` calls with firings in timer order, which the incremental operators do not track).
 */
export function hasIncrementalOptions(options: WindowOptions<any, unknown, unknown, any> | undefined): boolean {
  return (
    options !== undefined &&
    (options.trigger === undefined || options.trigger === EventTimeTrigger.create()) &&
    options.evictor === undefined &&
    (typeof options.process !== 'object' || options.process.clear === undefined) &&
    (options.reduce !== undefined || options.aggregate !== undefined)
  );
}

/** What an incremental window operator is built from (by `windowOperator`). */
export interface IncrementalWindowSpec<T, R> {
  readonly name: string;
  readonly origin: ErrorOrigin;
  readonly assigner: WindowAssigner<T, TimeWindow>;
  readonly options: WindowOptions<T, R, any, any>;
  readonly contents: WindowContents<T, unknown, R, TimeWindow>;
  /** The allowed lateness (ms). */
  readonly lateness: number;
  /** False for windowAll. */
  readonly keyed: boolean;
  readonly metricNames: WindowMetricNames;
}

/** The map key of every element in windowAll. */
export const ALL_KEYS = '\u0000all';

/** Emits window results for one subscription of an incremental window operator. */
export class IncrementalWindowEmitter<T, R> {
  /** The operator's current watermark (the operator advances it). */
  watermark: Timestamp = MIN_WATERMARK;
  private runtime: RuntimeContext | undefined;
  private metrics: MetricGroup | undefined;
  private keyedState: HeapKeyedStateBackend | undefined;
  private states: ProcessWindowState | undefined;
  private opened = false;
  private readonly full: boolean;
  private readonly rich: RichProcessWindowFunction<unknown, R, unknown, TimeWindow> | undefined;
  private readonly result: (contents: unknown) => unknown;
  // the (window, key) the process function's context acts on
  private window!: TimeWindow;
  private key: Key | undefined;
  private readonly processCtx: ProcessWindowContext<TimeWindow> & EvictorContext;
  private readonly out: Collector<R>;
  readonly assignerContext = { currentProcessingTime: (): Timestamp => this.runtime!.currentProcessingTime() };

  constructor(
    private readonly name: string,
    private readonly origin: ErrorOrigin,
    private readonly options: WindowOptions<T, R, any, any>,
    private readonly contents: WindowContents<T, unknown, R, TimeWindow>,
    private readonly keyed: boolean,
    private readonly merging: boolean,
    private readonly metricNames: WindowMetricNames,
    private readonly destination: Subscriber<StreamElement<R>>,
  ) {
    this.full = options.process !== undefined || options.apply !== undefined || options.windowed === true;
    const p = options.process;
    this.rich = p !== undefined && typeof p !== 'function' ? (p as RichProcessWindowFunction<unknown, R, unknown, TimeWindow>) : undefined;
    this.result = contents.result!;
    const self = this;
    this.processCtx = {
      get window() {
        return self.window;
      },
      currentWatermark: () => this.watermark,
      currentProcessingTime: () => this.runtime!.currentProcessingTime(),
      windowState: () => this.states!.windowStore,
      globalState: () => this.states!.globalStore,
      output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, this.window.maxTimestamp(), this.key))),
    };
    this.out = { collect: (v) => destination.next(new StreamRecord(v, this.window.maxTimestamp(), this.key)) };
  }

  /**
   * Opens the runtime context, the metrics (with the operator's gauges: windows held, the map keys
   * holding windows, and the key entries held, empty ones kept for reuse included) and the process
   * function.
   */
  open(job: JobContext | undefined, windowCount: () => number, keysWithWindows: () => Iterable<unknown>, keyEntries?: () => number, restore?: () => void): void {
    // a process window function gets keyed state (per key, across windows): in its runtime context
    // when rich, and as its context's globalState()
    const now = (): Timestamp => this.runtime!.currentProcessingTime();
    if (this.options.process !== undefined) {
      if (this.keyed) this.keyedState = new HeapKeyedStateBackend(this.origin, now);
      this.states = new ProcessWindowState(this.origin, now, this.keyedState, this.merging);
    }
    this.runtime = createRuntimeContext(this.name, this.options, job, this.keyedState);
    const m = (this.metrics = this.runtime.metrics);
    const names = this.metricNames;
    m.counter(names.lateDropped);
    m.counter(names.late);
    m.gauge(names.stateSize, windowCount);
    const keysWithState = (): number => {
      const seen = this.states?.keysWithGlobalState() ?? new Set<unknown>();
      for (const mk of keysWithWindows()) seen.add(mk);
      return seen.size;
    };
    m.gauge(names.keysWithState, keysWithState);
    m.gauge(names.keyEntries, keyEntries ?? keysWithState);
    restore?.();
    this.opened = true;
    this.rich?.open?.(this.runtime);
  }

  /** Processing time now (the operator's scheduler). */
  now(): Timestamp {
    return this.runtime!.currentProcessingTime();
  }

  /** Starts recording changes of the process function's state for incremental checkpoints. */
  startChangeTracking(): void {
    this.states?.startChangeTracking();
  }

  /** Writes the process function's state as checkpoint fields (whole, or what changed). */
  snapshotParts(full: boolean, put: PartWriter): void {
    this.states?.snapshotParts(full, put);
  }

  /** Takes a restored field of the process function's state; true when it was one. */
  restoreField(field: string, value: string): boolean {
    return this.states?.restoreField(field, value) ?? false;
  }

  /** Restores the process function's state from the fields taken. */
  finishRestore(): void {
    this.states?.finishRestore();
  }

  /** Emits the result of `window` for the key (`mapKey` is its map form) from its contents. */
  emit(window: TimeWindow, mapKey: unknown, key: Key | undefined, contents: unknown): void {
    const k = this.keyed ? key : undefined;
    if (!this.full) {
      this.destination.next(new StreamRecord(this.result(contents) as R, window.end - 1, k));
      return;
    }
    this.window = window;
    this.key = k;
    if (this.states !== undefined) {
      this.keyedState?.setCurrentKey(k);
      this.states.enter(mapKey, k, window.start);
    }
    this.contents.emit(k, window, contents, this.processCtx, this.out);
  }

  /** Drops the per-window state of (key, window) when the window is cleaned up. */
  clearWindow(mapKey: unknown, key: Key | undefined, window: TimeWindow): void {
    this.states?.clearWindow(mapKey, this.keyed ? key : undefined, window.start);
  }

  /** Counts an element too late for every window, and sends it to the late output when there is one. */
  late(value: T, timestamp: Timestamp, key: Key | undefined): void {
    const names = this.metricNames;
    this.metrics!.counter(names.late).inc();
    const lateOutput = this.options.lateOutput;
    if (lateOutput !== undefined) this.destination.next(new SideOutput(lateOutput, new StreamRecord(value, timestamp, key)));
    else this.metrics!.counter(names.lateDropped).inc();
  }

  /** Closes the process function (at completion, error or unsubscribe). */
  close(): void {
    if (this.opened) this.rich?.close?.();
  }
}
