/**
 * The machinery shared by the operator test harnesses: a virtual processing-time clock, a job whose
 * start element carries restored state, the operator's output split by kind, snapshots taken with a
 * checkpoint barrier, and errors thrown back at the call that caused them.
 * @module
 */
import { type Observable, Subject, type Subscription, VirtualTimeScheduler } from 'rxjs';
import { CheckpointBarrier } from '../core/checkpoint-barrier';
import { InvalidArgumentError, StateError } from '../core/errors';
import { Job, type JobOptions } from '../core/job';
import type { OutputTag } from '../core/output-tag';
import type { SideOutput } from '../core/side-output';
import { StartElement } from '../core/start-element';
import { ElementKind, isElement, type StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import type { WatermarkStatus } from '../core/watermark-status';

/** Options of the operator harnesses. */
export interface OperatorHarnessOptions {
  /** The job the operator runs in (name, execution mode, parallelism...); its scheduler is the harness's clock. */
  job?: Omit<JobOptions, 'scheduler'>;
  /** Processing time when the harness starts, in ms (default 0). */
  processingTime?: Timestamp;
  /** Whether the start element says the input is bounded (default false: a streaming job). */
  bounded?: boolean;
}

/**
 * The state an operator acknowledged at a checkpoint barrier, by operator uid: what
 * {@link OperatorHarnessBase.snapshot} returns and {@link OperatorHarnessBase.restore} takes.
 *
 * @example
 * ```ts
 * const snapshot = harness.snapshot();
 * snapshot.uids() // ['counter']
 * ```
 */
export class HarnessSnapshot {
  constructor(
    /** The id of the checkpoint it was taken at. */
    readonly checkpointId: number,
    /** The acknowledged state handles, by operator uid (what a job's `restoredState` holds). */
    readonly states: ReadonlyMap<string, unknown>,
  ) {}

  /** The uids of the operators that acknowledged state. */
  uids(): string[] {
    return [...this.states.keys()];
  }
}

const HARNESS = { operator: 'OperatorHarness' };

/**
 * What every operator harness does: runs the operator under test synchronously on a virtual
 * processing-time clock, records what it emits, and reads it back by kind.
 *
 * It's like Flink's `AbstractStreamOperatorTestHarness`.
 *
 * @example
 * ```ts
 * harness.setProcessingTime(1_000);
 * harness.output()      // main-output records, with timestamps and keys
 * harness.watermarks()  // watermark times, in order
 * ```
 * @typeParam Out the values of the operator's main output.
 * @see OperatorHarness, TwoInputOperatorHarness
 */
export abstract class OperatorHarnessBase<Out> {
  /** The job the operator runs in; its metrics hold the operator's metrics. */
  readonly job: Job;
  private readonly scheduler: VirtualTimeScheduler;
  private readonly inputs: Array<Subject<unknown>>;
  private readonly emitted: unknown[] = [];
  private readonly bounded: boolean;
  private restored: ReadonlyMap<string, unknown> | undefined;
  private subscription: Subscription | undefined;
  private failure: { error: unknown } | undefined;
  private completed = false;
  private nextCheckpointId = 1;

  protected constructor(
    inputCount: number,
    private readonly connect: (inputs: ReadonlyArray<Observable<StreamElement<unknown>>>) => Observable<StreamElement<Out>>,
    options: OperatorHarnessOptions | undefined,
  ) {
    const start = options?.processingTime ?? 0;
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      throw new InvalidArgumentError(HARNESS, 'processingTime', start, 'must be a finite number of milliseconds');
    }
    this.scheduler = new VirtualTimeScheduler();
    this.scheduler.frame = start;
    this.job = new Job({ name: 'harness', ...options?.job, scheduler: this.scheduler });
    this.bounded = options?.bounded ?? false;
    this.inputs = Array.from({ length: inputCount }, () => new Subject<unknown>());
  }

  /**
   * Hands the operator state from a snapshot, as a job restored from a checkpoint does. Call it on a fresh
   * harness, before the first element.
   * @throws StateError when the harness is already open.
   */
  restore(snapshot: HarnessSnapshot): this {
    if (this.subscription !== undefined) {
      throw new StateError(HARNESS, 'restore(snapshot) must come before the first element: restore into a fresh harness');
    }
    this.restored = snapshot.states;
    return this;
  }

  /** Subscribes the operator and sends the job's start element (with restored state); done by the first element otherwise. */
  open(): this {
    if (this.subscription !== undefined) return this;
    const out$ = this.connect(this.inputs.map((s) => s.asObservable() as Observable<StreamElement<unknown>>));
    this.subscription = out$.subscribe({
      next: (x) => this.emitted.push(x),
      error: (error: unknown) => (this.failure = { error }),
      complete: () => (this.completed = true),
    });
    const start = new StartElement(this.job.context(this.bounded, this.restored));
    for (const input of this.inputs) input.next(start);
    this.rethrow();
    return this;
  }

  /** Processing time now: the virtual clock's time. */
  getProcessingTime(): Timestamp {
    return this.scheduler.now();
  }

  /**
   * Sets processing time to exactly `time` and runs, in time order, everything scheduled up to it
   * (processing-time timers and windows, periodic watermarks, TTL).
   * @throws InvalidArgumentError when `time` is before the current processing time.
   */
  setProcessingTime(time: Timestamp): this {
    if (typeof time !== 'number' || !Number.isFinite(time) || time < this.scheduler.now()) {
      throw new InvalidArgumentError(HARNESS, 'setProcessingTime(time)', time, `must be a finite number of milliseconds >= the current processing time ${this.scheduler.now()}`);
    }
    this.open();
    this.scheduler.maxFrames = time;
    try {
      this.scheduler.flush();
    } finally {
      this.scheduler.frame = time;
    }
    this.rethrow();
    return this;
  }

  /**
   * Takes a checkpoint: sends a barrier through the operator and returns the state it acknowledged, to
   * {@link restore} into a fresh harness.
   * @throws StateError when no operator acknowledged state (an operator checkpoints only with a `uid`) or one declined.
   */
  snapshot(checkpointId: number = this.nextCheckpointId, timestamp: Timestamp = this.scheduler.now()): HarnessSnapshot {
    this.nextCheckpointId = checkpointId + 1;
    const states = new Map<string, unknown>();
    let declined: Error | undefined;
    const barrier = new CheckpointBarrier(checkpointId, timestamp, 'checkpoint', {
      acknowledge: (uid, handle) => void states.set(uid, handle),
      decline: (uid, reason) => void (declined ??= new StateError({ operator: 'OperatorHarness', uid }, `declined checkpoint ${checkpointId}: ${reason.message}`, { cause: reason })),
    });
    for (let i = 0; i < this.inputs.length; i++) this.push(i, barrier);
    if (declined !== undefined) throw declined;
    if (states.size === 0) {
      throw new StateError(HARNESS, `no operator acknowledged state at checkpoint ${checkpointId}: only a stateful operator with a uid checkpoints (pass { uid: '...' } to it)`);
    }
    return new HarnessSnapshot(checkpointId, states);
  }

  /** Everything the operator emitted, in order: records (plain values are records without timestamp), control elements and side outputs. */
  elements(): unknown[] {
    return [...this.emitted];
  }

  /** The main-output records, with their timestamps and keys. */
  output(): Array<StreamRecord<Out>> {
    const out: Array<StreamRecord<Out>> = [];
    for (const x of this.emitted) {
      if (!isElement(x)) out.push(new StreamRecord(x as Out));
      else if (x.kind === ElementKind.Record) out.push(x as StreamRecord<Out>);
    }
    return out;
  }

  /** The main-output values. */
  outputValues(): Out[] {
    return this.output().map((r) => r.value);
  }

  /** The records sent to `tag`, with their timestamps and keys. */
  sideOutput<T>(tag: OutputTag<T>): Array<StreamRecord<T>> {
    const out: Array<StreamRecord<T>> = [];
    for (const x of this.emitted) {
      if (isElement(x) && x.kind === ElementKind.SideOutput && (x as SideOutput<unknown>).tag.id === tag.id) out.push((x as SideOutput<T>).record);
    }
    return out;
  }

  /** The times of the watermarks the operator emitted, in order. */
  watermarks(): Timestamp[] {
    return this.emitted.filter((x) => isElement(x) && x.kind === ElementKind.Watermark).map((x) => (x as Watermark).time);
  }

  /** The watermark statuses the operator emitted, in order: `true` for idle. */
  watermarkStatuses(): boolean[] {
    return this.emitted.filter((x) => isElement(x) && x.kind === ElementKind.WatermarkStatus).map((x) => (x as WatermarkStatus).idle);
  }

  /** Forgets what was emitted so far. */
  clearOutput(): this {
    this.emitted.length = 0;
    return this;
  }

  /** True once the operator's output completed (after every input ended). */
  isCompleted(): boolean {
    return this.completed;
  }

  /** Unsubscribes the operator (it closes its rich functions and cancels its timers). */
  close(): void {
    this.subscription?.unsubscribe();
  }

  /** Sends `element` (a value, a record or a control element) to input `i`. */
  protected push(i: number, element: unknown): void {
    this.open();
    if (this.completed) throw new StateError(HARNESS, 'the operator has completed: use a fresh harness');
    this.inputs[i]!.next(element);
    this.rethrow();
  }

  /** Ends input `i` as every tidemark source ends: the end-of-input watermark, then completion. */
  protected end(i: number): void {
    this.push(i, Watermark.MAX);
    this.inputs[i]!.complete();
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
