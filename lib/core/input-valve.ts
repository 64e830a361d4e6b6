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
 * Barriers are aligned: after input i delivers barrier n, its later elements are buffered until every
 * unfinished input has delivered barrier n; then `barrier(n)` is called once and the buffers are
 * replayed in order. An unaligned barrier (`barrier.unaligned`) is forwarded at once; the elements of
 * inputs that have not yet delivered it are reported to `overtaken` (to be persisted with the snapshot)
 * and processed as usual.
 * @module
 */
import type { CheckpointBarrier } from './checkpoint-barrier';
import { StartElement } from './start-element';
import { ElementKind, StreamElementBase } from './stream-element';
import { MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from './types';
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
  /** Unaligned checkpoints: an element of `input` that the barrier overtook. */
  overtaken?(input: number, element: unknown, barrier: CheckpointBarrier): void;
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

  constructor(
    size: number,
    private readonly handlers: InputValveHandlers,
  ) {
    this.inputs = Array.from({ length: size }, () => new InputState());
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
        this.onBarrier(i, input, element as CheckpointBarrier);
        return;
      case ElementKind.Start:
        input.start = element as StartElement;
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
      return;
    }
    this.finish(input);
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
    input.unalignedPending = false;
    if (!this.startSent && this.inputs.every((s) => s.finished || s.start !== undefined)) this.sendStart();
    this.emitMinimum();
    if (this.pendingBarrier !== undefined) this.maybeReleaseBarrier();
    if (!this.ended && this.inputs.every((s) => s.finished)) {
      this.ended = true;
      this.handlers.end();
    }
  }

  private onBarrier(i: number, input: InputState, barrier: CheckpointBarrier): void {
    if (barrier.unaligned) {
      if (this.unalignedBarrier === undefined || barrier.checkpointId > this.unalignedBarrier.checkpointId) {
        this.unalignedBarrier = barrier;
        for (const s of this.inputs) s.unalignedPending = !s.finished;
        this.handlers.barrier?.(barrier);
      }
      if (barrier.checkpointId === this.unalignedBarrier.checkpointId) input.unalignedPending = false;
      return;
    }
    const pending = this.pendingBarrier;
    if (pending !== undefined && barrier.checkpointId < pending.checkpointId) return; // stale
    if (pending !== undefined && barrier.checkpointId > pending.checkpointId) {
      // a newer checkpoint started before the older one aligned: abandon the older one
      this.pendingBarrier = undefined;
      this.unblockAll();
    }
    if (this.pendingBarrier === undefined) this.pendingBarrier = barrier;
    input.blocked = true;
    void i;
    this.maybeReleaseBarrier();
  }

  private maybeReleaseBarrier(): void {
    const pending = this.pendingBarrier;
    if (pending === undefined) return;
    if (!this.inputs.every((s) => s.blocked || s.finished)) return;
    this.pendingBarrier = undefined;
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
