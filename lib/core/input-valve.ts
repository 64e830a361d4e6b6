/**
 * The input valve shared by every multi-input operator (union, connect, joins): it keeps each input's
 * watermark, idle/active status, completion and barrier state, emits the minimum watermark over the
 * active inputs when it advances, merges the inputs' start elements, and aligns checkpoint barriers.
 *
 * Use: create one per subscription with the number of inputs and handlers; call `push(i, element)` for
 * every element input `i` emits and `complete(i)` when it completes. Records and side outputs reach
 * `handlers.element(i, element)` (in input order, after any barrier alignment); watermarks, statuses,
 * barriers and start elements are consumed by the valve, which calls `watermark`, `status`, `barrier`,
 * `start` and `end` with the combined view.
 *
 * Watermarks follow Flink's StatusWatermarkValve: the combined watermark only advances (an input's
 * watermark that is not larger than its last one is ignored); an idle input is left out of the minimum,
 * and a watermark that arrives on it while it is idle is ignored (it does not raise its watermark for
 * later); when the last active input goes idle, the valve first emits the largest watermark over all
 * inputs (nothing holds event time back any more), then the idle status; an input that becomes active
 * again (by an active status or a record) rejoins the minimum only once its watermark has caught up with
 * the last one emitted; a completed input counts as having reached the largest watermark.
 *
 * Barriers, as the job's checkpoint config says (read from the start element's coordinator, else the
 * valve's options), in the manner of Flink's `SingleCheckpointBarrierHandler` and `CheckpointBarrierTracker`:
 * - aligned (exactly-once, the default): after input i delivers barrier n, its later elements are
 *   buffered until every unfinished input has delivered barrier n; then `barrier(n)` is called once and
 *   the buffers are replayed in order. The buffers are bounded (`alignmentBufferLimit` elements over all
 *   inputs): past the bound the valve declines checkpoint n with a {@link CheckpointError} naming the
 *   operator, the input and the checkpoint (the coordinator counts it as a failed checkpoint), passes
 *   the barrier on at once so nothing downstream waits for it, and replays the buffers; the barrier's
 *   late copies from the other inputs are ignored.
 * - unaligned (`barrier.unaligned`), for an operator that persists in-flight records (it has an
 *   `overtaken` handler): the first copy of barrier n is passed to `barrier(n)` at once; the elements of
 *   inputs that have not yet delivered it go to `overtaken` (to be persisted with the snapshot) and are
 *   processed as usual; `unalignedDone(n)` follows once every unfinished input has delivered it. An
 *   operator without an `overtaken` handler aligns unaligned barriers too (so nothing is lost).
 * - at-least-once (`mode: 'at-least-once'`): nothing is buffered; `barrier(n)` is called when the last
 *   unfinished input delivers barrier n; a barrier of a newer checkpoint drops the older ones not yet
 *   complete.
 * @module
 */
import type { CheckpointBarrier } from './checkpoint-barrier';
import { CheckpointError } from './errors';
import { StartElement } from './start-element';
import { ElementKind, StreamElementBase } from './stream-element';
import { StreamRecord } from './stream-record';
import { type Key, MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from './types';
import { defaultStateSerializer } from '../state/serializer';
import { Watermark } from './watermark';
import { WatermarkStatus } from './watermark-status';

/** Callbacks of an {@link InputValve}. */
export interface InputValveHandlers {
  /** A record (plain value or StreamRecord) or side output from input `input`. */
  element(input: number, element: unknown): void;
  /** The combined watermark advanced. */
  watermark(mark: Watermark): void;
  /** All inputs became idle, or one became active again. */
  status?(status: WatermarkStatus): void;
  /** Every input delivered this barrier (or it is unaligned and arrived first). */
  barrier?(barrier: CheckpointBarrier): void;
  /** The merged start element. */
  start?(start: StartElement): void;
  /** Every input completed. */
  end(): void;
  /**
   * Unaligned checkpoints: an element of `input` that the barrier overtook (called before `element`).
   * An operator that gives this handler persists these with its snapshot and replays them on restore.
   */
  overtaken?(input: number, element: unknown, barrier: CheckpointBarrier): void;
  /** Unaligned checkpoints: every unfinished input has delivered `barrier`; no more elements are overtaken. */
  unalignedDone?(barrier: CheckpointBarrier): void;
}

/** Default bound of the alignment buffers, in elements over all inputs. */
export const DEFAULT_ALIGNMENT_BUFFER_LIMIT = 100_000;

/** How an {@link InputValve} handles barriers when no job coordinator says otherwise. */
export interface InputValveOptions {
  /** Names the operator in errors and in the checkpoint it declines. */
  readonly name?: string;
  /** `exactly-once` (default: align) or `at-least-once` (track, never buffer). */
  readonly mode?: 'exactly-once' | 'at-least-once';
  /** Elements buffered over all inputs while aligning before the checkpoint is declined (default 100 000). */
  readonly alignmentBufferLimit?: number;
}

class InputState {
  watermark: Timestamp = MIN_WATERMARK;
  idle = false;
  aligned = true;
  finished = false;
  blocked = false;
  start: StartElement | undefined = undefined;
  unalignedPending = false;
  readonly buffer: unknown[] = [];
}

const COMPLETE = Symbol('complete');

/**
 * N-input watermark, status, start and barrier handling.
 *
 * @example
 * ```ts
 * const valve = new InputValve(2, { element: (i, x) => destination.next(x), watermark: (w) => destination.next(w), end: () => destination.complete() });
 * valve.push(0, wm(5)); valve.push(1, wm(3)); // emits W(3)
 * ```
 */
export class InputValve {
  private readonly inputs: InputState[];
  private lastWatermark: Timestamp = MIN_WATERMARK;
  private allIdle = false;
  private startSent = false;
  private pendingBarrier: CheckpointBarrier | undefined;
  private unalignedBarrier: CheckpointBarrier | undefined;
  private ended = false;
  private replaying = false;
  private mode: 'exactly-once' | 'at-least-once';
  private bufferLimit: number;
  /** Elements in the alignment buffers, over all inputs. */
  private bufferedCount = 0;
  /** Barriers of this id or lower are done with (released, declined or abandoned): late copies are ignored. */
  private lastBarrierId = -Infinity;
  /** At-least-once: per checkpoint id, the barrier and the inputs that delivered it. */
  private tracked: Map<number, { barrier: CheckpointBarrier; seen: Set<number> }> | undefined;
  private readonly name: string;

  constructor(
    size: number,
    private readonly handlers: InputValveHandlers,
    options: InputValveOptions = {},
  ) {
    this.inputs = Array.from({ length: size }, () => new InputState());
    this.name = options.name ?? 'a multi-input operator';
    this.mode = options.mode ?? 'exactly-once';
    this.bufferLimit = options.alignmentBufferLimit ?? DEFAULT_ALIGNMENT_BUFFER_LIMIT;
  }

  /** Elements buffered for alignment right now (over all inputs). */
  get alignmentBuffered(): number {
    return this.bufferedCount;
  }

  /** The last combined watermark emitted. */
  currentWatermark(): Timestamp {
    return this.lastWatermark;
  }

  /** Feeds one element of input `i`. */
  push(i: number, element: unknown): void {
    const input = this.inputs[i]!;
    if (input.blocked) {
      input.buffer.push(element);
      this.bufferedCount++;
      if (this.bufferedCount > this.bufferLimit && this.pendingBarrier !== undefined) this.declineAlignment(i, this.pendingBarrier);
      return;
    }
    if (!(element instanceof StreamElementBase)) {
      this.record(i, input, element);
      return;
    }
    switch (element.kind) {
      case ElementKind.Watermark:
        this.onWatermark(input, (element as Watermark).time);
        return;
      case ElementKind.WatermarkStatus:
        this.onStatus(input, (element as WatermarkStatus).idle);
        return;
      case ElementKind.Barrier:
        // the operator opens (and registers for checkpoints) no later than the first barrier reaches it
        if (!this.startSent) this.sendStart();
        this.onBarrier(i, input, element as CheckpointBarrier);
        return;
      case ElementKind.Start:
        input.start = element as StartElement;
        this.configure((element as StartElement).context.checkpoints);
        if (this.inputs.every((s) => s.start !== undefined)) this.sendStart();
        return;
      default:
        this.record(i, input, element);
    }
  }

  /** Input `i` completed. */
  complete(i: number): void {
    const input = this.inputs[i]!;
    if (input.blocked) {
      input.buffer.push(COMPLETE);
      this.bufferedCount++;
      return;
    }
    this.finish(input);
  }

  /** Takes the mode and bound of the job's coordinator. */
  private configure(c: { readonly mode: 'exactly-once' | 'at-least-once'; readonly alignmentBufferLimit?: number } | undefined): void {
    if (c === undefined) return;
    this.mode = c.mode;
    if (c.alignmentBufferLimit !== undefined) this.bufferLimit = c.alignmentBufferLimit;
  }

  private record(i: number, input: InputState, element: unknown): void {
    if (!this.startSent) this.sendStart();
    if (input.idle) this.onStatus(input, false);
    if (this.unalignedBarrier !== undefined && input.unalignedPending) {
      this.handlers.overtaken?.(i, element, this.unalignedBarrier);
    }
    this.handlers.element(i, element);
  }

  private sendStart(): void {
    if (this.startSent) return;
    this.startSent = true;
    const starts = this.inputs.map((s) => s.start);
    const first = starts.find((s) => s !== undefined);
    if (first === undefined || this.handlers.start === undefined) return;
    const bounded = starts.every((s) => s !== undefined && s.context.bounded);
    this.handlers.start(bounded === first.context.bounded ? first : new StartElement({ ...first.context, bounded }));
  }

  private onWatermark(input: InputState, time: Timestamp): void {
    // an idle input's watermark is ignored, not remembered (Flink's valve does the same)
    if (input.idle || !(time > input.watermark)) return;
    input.watermark = time;
    if (!input.aligned && time >= this.lastWatermark) input.aligned = true;
    this.emitMinimum();
  }

  private onStatus(input: InputState, idle: boolean): void {
    if (input.finished || input.idle === idle) return;
    input.idle = idle;
    if (idle) {
      input.aligned = false;
      this.emitMinimum();
      if (!this.allIdle && this.inputs.every((s) => s.idle || s.finished) && this.inputs.some((s) => s.idle)) {
        this.allIdle = true;
        // nothing holds event time back any more: flush the largest watermark, then go idle
        this.emitMaximum();
        this.handlers.status?.(WatermarkStatus.IDLE);
      }
    } else {
      if (input.watermark >= this.lastWatermark) input.aligned = true;
      if (this.allIdle) {
        this.allIdle = false;
        this.handlers.status?.(WatermarkStatus.ACTIVE);
      }
    }
  }

  private emitMinimum(): void {
    let min = Infinity;
    let any = false;
    for (const s of this.inputs) {
      if (s.idle || !s.aligned) continue;
      any = true;
      if (s.watermark < min) min = s.watermark;
    }
    if (any) this.emit(min);
  }

  /** Emits the largest watermark over all inputs, when it is larger than the last one emitted. */
  private emitMaximum(): void {
    let max = MIN_WATERMARK;
    for (const s of this.inputs) if (s.watermark > max) max = s.watermark;
    this.emit(max);
  }

  private emit(time: Timestamp): void {
    if (!(time > this.lastWatermark)) return;
    this.lastWatermark = time;
    this.handlers.watermark(time >= MAX_WATERMARK ? Watermark.MAX : new Watermark(time));
  }

  private finish(input: InputState): void {
    if (input.finished) return;
    input.finished = true;
    input.idle = false;
    input.aligned = true;
    input.watermark = MAX_WATERMARK;
    if (input.unalignedPending) {
      input.unalignedPending = false;
      this.maybeUnalignedDone();
    }
    if (this.tracked !== undefined) for (const id of [...this.tracked.keys()]) this.maybeReleaseTracked(id);
    if (!this.startSent && this.inputs.every((s) => s.finished || s.start !== undefined)) this.sendStart();
    this.emitMinimum();
    if (this.pendingBarrier !== undefined) this.maybeReleaseBarrier();
    if (!this.ended && this.inputs.every((s) => s.finished)) {
      this.ended = true;
      this.handlers.end();
    }
  }

  private onBarrier(i: number, input: InputState, barrier: CheckpointBarrier): void {
    const id = barrier.checkpointId;
    if (id <= this.lastBarrierId) return; // late copy of a barrier done with
    if (this.mode === 'at-least-once') {
      this.trackBarrier(i, barrier);
      return;
    }
    if (barrier.unaligned && this.handlers.overtaken !== undefined) {
      if (this.unalignedBarrier === undefined || id > this.unalignedBarrier.checkpointId) {
        // a newer barrier ends the older one's wait: nothing more is overtaken by that one
        if (this.unalignedBarrier !== undefined && this.inputs.some((s) => s.unalignedPending)) {
          for (const s of this.inputs) s.unalignedPending = false;
          this.handlers.unalignedDone?.(this.unalignedBarrier);
        }
        this.unalignedBarrier = barrier;
        for (const s of this.inputs) s.unalignedPending = !s.finished;
        this.handlers.barrier?.(barrier);
      }
      if (id === this.unalignedBarrier.checkpointId && input.unalignedPending) {
        input.unalignedPending = false;
        this.maybeUnalignedDone();
      }
      return;
    }
    const pending = this.pendingBarrier;
    if (pending !== undefined && id < pending.checkpointId) return; // stale
    if (pending !== undefined && id > pending.checkpointId) {
      // a newer checkpoint started before the older one aligned: abandon the older one
      this.pendingBarrier = undefined;
      this.lastBarrierId = pending.checkpointId;
      this.unblockAll();
    }
    if (this.pendingBarrier === undefined) this.pendingBarrier = barrier;
    input.blocked = true;
    this.maybeReleaseBarrier();
  }

  private maybeUnalignedDone(): void {
    const b = this.unalignedBarrier;
    if (b === undefined || this.inputs.some((s) => s.unalignedPending)) return;
    this.lastBarrierId = Math.max(this.lastBarrierId, b.checkpointId);
    this.handlers.unalignedDone?.(b);
  }

  /** At-least-once (Flink's CheckpointBarrierTracker): count the inputs that delivered each barrier, buffer nothing. */
  private trackBarrier(i: number, barrier: CheckpointBarrier): void {
    const tracked = (this.tracked ??= new Map());
    let t = tracked.get(barrier.checkpointId);
    if (t === undefined) tracked.set(barrier.checkpointId, (t = { barrier, seen: new Set() }));
    t.seen.add(i);
    this.maybeReleaseTracked(barrier.checkpointId);
  }

  private maybeReleaseTracked(id: number): void {
    const t = this.tracked?.get(id);
    if (t === undefined) return;
    for (let j = 0; j < this.inputs.length; j++) if (!t.seen.has(j) && !this.inputs[j]!.finished) return;
    // complete: older checkpoints still counting will never complete here (Flink drops them too)
    for (const other of [...this.tracked!.keys()]) if (other <= id) this.tracked!.delete(other);
    this.lastBarrierId = id;
    this.handlers.barrier?.(t.barrier);
  }

  private maybeReleaseBarrier(): void {
    const pending = this.pendingBarrier;
    if (pending === undefined) return;
    if (!this.inputs.every((s) => s.blocked || s.finished)) return;
    this.pendingBarrier = undefined;
    this.lastBarrierId = pending.checkpointId;
    this.handlers.barrier?.(pending);
    this.unblockAll();
  }

  /**
   * The alignment buffers passed their bound while aligning `pending`: decline that checkpoint (it counts
   * as failed), pass the barrier on so nothing downstream waits for it, and replay the buffers.
   */
  private declineAlignment(i: number, pending: CheckpointBarrier): void {
    const waiting = this.inputs.flatMap((s, j) => (s.blocked || s.finished ? [] : [j]));
    const reason = new CheckpointError(
      { operator: this.name },
      `input ${i} buffered more than alignmentBufferLimit (${this.bufferLimit}) elements while aligning checkpoint ${pending.checkpointId} ` +
        `(waiting for the barrier on input ${waiting.join(', ')}): checkpoint ${pending.checkpointId} is aborted; ` +
        'raise checkpoints.alignmentBufferLimit, or use unaligned checkpoints',
    );
    this.pendingBarrier = undefined;
    this.lastBarrierId = pending.checkpointId;
    pending.acknowledger?.decline(this.name, reason);
    this.handlers.barrier?.(pending);
    this.unblockAll();
  }

  private unblockAll(): void {
    for (const s of this.inputs) s.blocked = false;
    if (this.replaying) return;
    this.replaying = true;
    try {
      let progress = true;
      while (progress) {
        progress = false;
        for (let i = 0; i < this.inputs.length; i++) {
          const s = this.inputs[i]!;
          while (!s.blocked && s.buffer.length > 0) {
            const el = s.buffer.shift();
            this.bufferedCount--;
            progress = true;
            if (el === COMPLETE) this.finish(s);
            else this.push(i, el);
          }
        }
      }
    } finally {
      this.replaying = false;
    }
  }
}

/** Operator-state field under which {@link InFlightRecords} are stored. */
export const IN_FLIGHT_FIELD = 'inflight';

/**
 * The records an unaligned barrier overtook at a multi-input operator (Flink's channel state), in arrival
 * order with their input: written with the operator's snapshot, replayed on restore before any new record.
 * Only records travel (value, timestamp, key); a side output passing through is not kept.
 *
 * @example
 * ```ts
 * const inflight = new InFlightRecords();
 * inflight.add(1, new StreamRecord('x', 5, 'k'));
 * const [field, value] = inflight.part(); // ['inflight', '[[1,"x",5,"k"]]']
 * InFlightRecords.restore(value); // [[1, StreamRecord('x', 5, 'k')]]
 * ```
 */
export class InFlightRecords {
  private readonly items: Array<[number, unknown, Timestamp | undefined, unknown]> = [];

  /** Keeps `element` of `input` when it is a record (a StreamRecord or a plain value). */
  add(input: number, element: unknown): void {
    if (!(element instanceof StreamElementBase)) this.items.push([input, element, undefined, undefined]);
    else if (element.kind === ElementKind.Record) {
      const r = element as StreamRecord<unknown>;
      this.items.push([input, r.value, r.timestamp, r.key]);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** The operator-state entry: `[IN_FLIGHT_FIELD, serialized records]`. */
  part(): [string, string] {
    return [IN_FLIGHT_FIELD, defaultStateSerializer.serialize(this.items)];
  }

  /** The records of a stored entry (undefined: none), each with its input, as StreamRecords. */
  static restore(value: string | undefined): Array<[number, StreamRecord<unknown>]> {
    if (value === undefined) return [];
    const items = defaultStateSerializer.deserialize(value) as Array<[number, unknown, Timestamp | undefined, Key | undefined]>;
    if (!Array.isArray(items)) throw new CheckpointError({ operator: 'InFlightRecords' }, 'the stored in-flight records are not a list: the snapshot is corrupt');
    return items.map(([input, v, t, k]) => [input, new StreamRecord(v, t, k)]);
  }
}
