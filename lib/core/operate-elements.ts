/**
 * The single internal helper every tidemark operator is written with, and the only file that touches
 * RxJS's Subscriber machinery (RxJS 7 exports no `operate`). Shaped like RxJS 8's
 * `operate({ destination, next })`, so a move to RxJS 8 touches this file alone.
 *
 * It also implements operator fusion (in the spirit of most.js): stateless stages (`map`, `filter`,
 * `flatMap`, `keyBy`) applied to each other's output build one {@link FusedStream}; the operator that
 * consumes it runs the stages inside its own subscriber, so a chain allocates no intermediate records.
 * @module
 */
import { Observable, Subscriber, type OperatorFunction } from 'rxjs';
import type { CheckpointBarrier } from './checkpoint-barrier';
import { type ErrorOrigin, type UserFunctionError, wrapUserError } from './errors';
import type { OperatorOptions } from './runtime-context';
import type { SideOutput } from './side-output';
import type { JobContext, StartElement } from './start-element';
import { ElementKind, type StreamElement, StreamElementBase } from './stream-element';
import { type StreamRecord, toElement } from './stream-record';
import { type Key, MIN_WATERMARK, type Timestamp } from './types';
import type { Watermark } from './watermark';
import type { WatermarkStatus } from './watermark-status';
import { checkOptions } from './validate';

/** Receives a record taken apart: value, timestamp (or `undefined`) and key (or `undefined`). */
export type RecordSink<T> = (value: T, timestamp: Timestamp | undefined, key: Key | undefined) => void;

/**
 * One handler per element kind. Every handler but `record` is optional: what is not handled is forwarded
 * unchanged (control elements), completes (`complete`) or errors (`error`) the destination. Anything a
 * handler throws errors the destination with the operator's typed error ({@link UserFunctionError} naming
 * the operator unless it already is a `TidemarkError`); code run from a scheduler instead (processing-time
 * timers, periodic watermarks) gets the same treatment through {@link failOperator}.
 *
 * A watermark that is not larger than the last one this input delivered is dropped before any handler
 * sees it (Flink's input valve does the same), so `watermark` only ever sees event time advance.
 */
export interface ElementHandlers<T> {
  /** Called once, before the first element of any kind (or before completion on empty input). */
  open?(job: JobContext | undefined): void;
  record: RecordSink<T>;
  watermark?(mark: Watermark): void;
  status?(status: WatermarkStatus): void;
  barrier?(barrier: CheckpointBarrier): void;
  sideOutput?(element: SideOutput<unknown>): void;
  start?(element: StartElement): void;
  /**
   * End of input: emit what is left. The helper then closes the user's functions (`close`) and completes
   * the destination; a handler that completes the destination itself leaves `close` to teardown, where
   * what it throws can no longer reach the subscriber.
   */
  complete?(): void;
  error?(err: unknown): void;
  /**
   * Closes the operator's user functions (a rich function's `close()`), once, if opened: at end of input
   * after `complete`, before completion goes downstream, so what it throws errors the destination as a
   * {@link UserFunctionError}; else at error or unsubscribe.
   */
  close?(): void;
  /** Called once at completion, error or unsubscribe (after `complete`/`error`); frees resources. */
  finalize?(): void;
}

/** Names an operator instance for errors, metrics and runtime contexts. */
export interface OperatorSpec {
  readonly name: string;
  readonly options?: OperatorOptions | undefined;
}

/** Lets a stage take part in its subscriber's lifecycle (rich functions open and close there). */
export interface StageLifecycle {
  /** Called once before the first element, with the job context from the start element (if any). */
  onOpen(open: (job: JobContext | undefined) => void): void;
  /** Called once at completion, error or unsubscribe, if opened. */
  onClose(close: () => void): void;
}

/** A stateless stage that can be fused into its consumer. */
export interface Stage {
  readonly name: string;
  readonly options: OperatorOptions | undefined;
  /** Builds this stage's record sink in front of `next`, once per subscription. */
  link(next: RecordSink<unknown>, lifecycle: StageLifecycle): RecordSink<unknown>;
}

function originOf(spec: OperatorSpec): ErrorOrigin {
  return { operator: spec.options?.name ?? spec.name, uid: spec.options?.uid };
}

class ElementSubscriber<T> extends Subscriber<unknown> {
  private opened = false;
  private job: JobContext | undefined = undefined;
  /** The last watermark this input delivered: an older or equal one is dropped. */
  private lastWatermark: Timestamp = MIN_WATERMARK;
  private closedFunctions = false;
  private readonly sink: RecordSink<T>;
  private readonly openers: Array<(job: JobContext | undefined) => void> = [];
  private readonly closers: Array<() => void> = [];

  constructor(
    destination: Subscriber<unknown>,
    private readonly handlers: ElementHandlers<T>,
    private readonly origin: ErrorOrigin,
    stages: readonly Stage[],
  ) {
    super(destination);
    let sink = handlers.record as RecordSink<unknown>;
    const lifecycle: StageLifecycle = { onOpen: (f) => this.openers.unshift(f), onClose: (f) => this.closers.unshift(f) };
    for (let i = stages.length - 1; i >= 0; i--) sink = stages[i]!.link(sink, lifecycle);
    this.sink = sink as RecordSink<T>;
    this.add(() => this.finalizeAll());
  }

  private openAll(job: JobContext | undefined): void {
    this.opened = true;
    this.job = job;
    for (const open of this.openers) open(job);
    this.handlers.open?.(job);
  }

  /** Closes the stages' rich functions (upstream first) and then the operator's, once; throws the first failure. */
  private closeFunctions(): void {
    if (!this.opened || this.closedFunctions) return;
    this.closedFunctions = true;
    let failure: unknown;
    let failed = false;
    for (const close of this.closers) {
      try {
        close();
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    try {
      this.handlers.close?.();
    } catch (err) {
      if (!failed) failure = err;
      failed = true;
    }
    if (failed) throw failure;
  }

  private finalizeAll(): void {
    let failure: unknown;
    let failed = false;
    try {
      this.closeFunctions();
    } catch (err) {
      failure = err;
      failed = true;
    }
    try {
      this.handlers.finalize?.();
    } catch (err) {
      if (!failed) failure = err;
      failed = true;
    }
    if (failed) throw wrapUserError(this.origin, failure);
  }

  private fail(err: unknown): void {
    const d = this.destination as Subscriber<unknown>;
    this.isStopped = true;
    d.error(wrapUserError(this.origin, err));
    this.unsubscribe();
  }

  protected override _next(x: unknown): void {
    try {
      if (!(x instanceof StreamElementBase)) {
        if (!this.opened) this.openAll(undefined);
        this.sink(x as T, undefined, undefined);
        return;
      }
      const el = x as Exclude<StreamElement<T>, T>;
      if (!this.opened) this.openAll(el.kind === ElementKind.Start ? el.context : undefined);
      const h = this.handlers;
      const d = this.destination as Subscriber<unknown>;
      switch (el.kind) {
        case ElementKind.Record: {
          const r = el as StreamRecord<T>;
          this.sink(r.value, r.timestamp, r.key);
          return;
        }
        case ElementKind.Watermark:
          // written so that a NaN time (only a watermark built around its constructor has one) is dropped too
          if (!(el.time > this.lastWatermark)) return;
          this.lastWatermark = el.time;
          if (h.watermark) h.watermark(el);
          else d.next(el);
          return;
        case ElementKind.WatermarkStatus:
          if (h.status) h.status(el);
          else d.next(el);
          return;
        case ElementKind.Barrier:
          if (h.barrier) h.barrier(el);
          else d.next(el);
          return;
        case ElementKind.SideOutput:
          if (h.sideOutput) h.sideOutput(el);
          else d.next(el);
          return;
        case ElementKind.Start:
          if (h.start) h.start(el);
          else d.next(el);
          return;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  protected override _error(err: unknown): void {
    try {
      if (this.handlers.error) this.handlers.error(err);
      else (this.destination as Subscriber<unknown>).error(err);
    } catch (e) {
      (this.destination as Subscriber<unknown>).error(wrapUserError(this.origin, e));
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    const d = this.destination as Subscriber<unknown>;
    try {
      if (!this.opened) this.openAll(undefined);
      // a job stopped with a savepoint (no drain) ends without its end of input: nothing fires
      if (this.job?.isStopped?.() !== true) this.handlers.complete?.();
      if (!d.closed) {
        this.closeFunctions();
        d.complete();
      }
    } catch (err) {
      (this.destination as Subscriber<unknown>).error(wrapUserError(this.origin, err));
    } finally {
      this.unsubscribe();
    }
  }
}

function subscribeElements<T>(
  source: Observable<unknown>,
  destination: Subscriber<unknown>,
  handlers: ElementHandlers<T>,
  origin: ErrorOrigin,
): void {
  if (source instanceof FusedStream) {
    source.upstream.subscribe(new ElementSubscriber(destination, handlers, origin, source.stages));
  } else {
    source.subscribe(new ElementSubscriber(destination, handlers, origin, []));
  }
}

/**
 * Fails an operator from code that runs outside its element handlers (a scheduler callback: a
 * processing-time timer, a periodic watermark emit, a processing-time window firing) the way a throwing
 * handler fails it: `destination` errors with a {@link UserFunctionError} naming the operator and its uid
 * (or with the error itself when it already is a `TidemarkError`), which also tears the operator's
 * subscription down.
 *
 * @example
 * ```ts
 * new InternalTimerService({ scheduler, onEventTime, onProcessingTime, onError: (err) => failOperator(destination, origin, err) });
 * ```
 */
export function failOperator(destination: Subscriber<unknown>, origin: ErrorOrigin, err: unknown): void {
  destination.error(wrapUserError(origin, err));
}

/**
 * Runs `action`, a scheduler callback that runs user code, inside the operator's error wrapping: what it
 * throws fails the operator through {@link failOperator}. Does nothing once `destination` is closed.
 *
 * @example
 * ```ts
 * scheduler.schedule(function tick() { runScheduled(destination, origin, () => generator.onPeriodicEmit(output)); }, 200);
 * ```
 */
export function runScheduled(destination: Subscriber<unknown>, origin: ErrorOrigin, action: () => void): void {
  if (destination.closed) return;
  try {
    action();
  } catch (err) {
    failOperator(destination, origin, err);
  }
}

/**
 * Writes a tidemark operator: `init` runs once per subscription, declares that subscription's state, and
 * returns one handler per element kind.
 *
 * @example
 * ```ts
 * export function values<T>(): OperatorFunction<StreamElement<T>, T> {
 *   return operateElements({ name: 'values' }, (destination) => ({
 *     record: (value) => destination.next(value),
 *     watermark: () => {}, status: () => {}, barrier: () => {}, sideOutput: () => {}, start: () => {},
 *   }));
 * }
 * ```
 */
export function operateElements<In, Out>(
  spec: OperatorSpec,
  init: (destination: Subscriber<Out>, origin: ErrorOrigin) => ElementHandlers<In>,
): OperatorFunction<StreamElement<In, unknown>, Out> {
  checkOptions(spec.name, spec.options);
  const origin = originOf(spec);
  return (source) =>
    new Observable<Out>((destination) => {
      subscribeElements(source, destination as Subscriber<unknown>, init(destination, origin), origin);
    });
}

/**
 * A chain of fused stateless stages over an upstream stream. Subscribing to it runs the stages in one
 * subscriber; an operator built with {@link operateElements} consuming it runs them inside its own.
 */
export class FusedStream<T> extends Observable<StreamElement<T>> {
  readonly upstream: Observable<unknown>;
  readonly stages: readonly Stage[];

  constructor(upstream: Observable<unknown>, stages: readonly Stage[]) {
    super((destination) => {
      const d = destination as Subscriber<unknown>;
      const handlers: ElementHandlers<unknown> = {
        record: (value, timestamp, key) => d.next(toElement(value, timestamp, key)),
      };
      const origin = { operator: stages[stages.length - 1]?.name ?? 'fused' };
      upstream.subscribe(new ElementSubscriber(d, handlers, origin, stages));
    });
    this.upstream = upstream;
    this.stages = stages;
  }

  /** `source` followed by `stage`, fused when `source` is itself fused. */
  static append<R>(source: Observable<unknown>, stage: Stage): FusedStream<R> {
    return source instanceof FusedStream
      ? new FusedStream<R>(source.upstream, [...(source.stages as Stage[]), stage])
      : new FusedStream<R>(source, [stage]);
  }
}

/** What a multi-input operator does with one of its inputs. */
export interface InputObserver {
  next(element: unknown): void;
  error(err: unknown): void;
  complete(): void;
}

class InputSubscriber extends Subscriber<unknown> {
  constructor(
    destination: Subscriber<unknown>,
    private readonly observer: InputObserver,
    private readonly origin: ErrorOrigin,
  ) {
    super(destination);
  }
  protected override _next(x: unknown): void {
    try {
      this.observer.next(x);
    } catch (err) {
      this.isStopped = true;
      (this.destination as Subscriber<unknown>).error(wrapUserError(this.origin, err));
      this.unsubscribe();
    }
  }
  protected override _error(err: unknown): void {
    try {
      this.observer.error(err);
    } finally {
      this.unsubscribe();
    }
  }
  protected override _complete(): void {
    try {
      this.observer.complete();
    } catch (err) {
      (this.destination as Subscriber<unknown>).error(wrapUserError(this.origin, err));
    } finally {
      this.unsubscribe();
    }
  }
}

/**
 * Subscribes one input of a multi-input operator (union, connect, joins). The input's subscription is
 * chained to `destination`, so unsubscribing downstream stops even a synchronous input at once; anything
 * the observer throws errors `destination` with a typed error.
 *
 * @example
 * ```ts
 * new Observable((destination) => {
 *   inputs.forEach((input, i) => subscribeInput(input, destination, { next: (x) => valve.push(i, x), error: (e) => destination.error(e), complete: () => valve.complete(i) }, origin));
 * })
 * ```
 */
export function subscribeInput(
  source: Observable<unknown>,
  destination: Subscriber<unknown>,
  observer: InputObserver,
  origin: ErrorOrigin,
): void {
  source.subscribe(new InputSubscriber(destination, observer, origin));
}
