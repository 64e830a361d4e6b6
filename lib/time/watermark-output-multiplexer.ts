import { InvalidArgumentError, StateError } from '../core/errors';
import { MIN_WATERMARK, type Timestamp } from '../core/types';
import type { WatermarkOutput } from './watermark-generator';

const ORIGIN = { operator: 'WatermarkOutputMultiplexer' };

/** One split's watermark and idleness. */
class SplitWatermark {
  /** The largest watermark this split reported (it never goes back). */
  watermark: Timestamp = MIN_WATERMARK;
  idle = false;

  /** True when `time` advances this split's watermark; a watermark also makes the split active. */
  set(time: Timestamp): boolean {
    this.idle = false;
    if (!(time > this.watermark)) return false;
    this.watermark = time;
    return true;
  }
}

/**
 * Combines the watermarks (and idleness) of the splits of one source (stream keys, partitions, files...)
 * into the source's watermark, emitted to an underlying {@link WatermarkOutput}:
 *
 * - the combined watermark is the minimum over the splits that are not idle; idle splits are left out;
 * - when every split is idle, the combined watermark moves to the largest split watermark and the output is
 *   marked idle; it is marked active again as soon as one split is;
 * - the combined watermark never goes back (a split that resumes behind it, or a split registered late,
 *   holds it where it is until it catches up);
 * - splits are registered and unregistered while the source runs; with none left, the output is idle.
 *
 * Each split has two outputs: an **immediate** one (an update may change the combined watermark at once)
 * and a **deferred** one (updates are only recorded, and combined at the next {@link onPeriodicEmit}).
 *
 * ```text
 * split a (immediate): 2-------------idle
 * split b (immediate): ----5
 * combined:            ----W(2)------W(5)
 * ```
 *
 * It's like Flink's `WatermarkOutputMultiplexer`, used by every split-based source.
 *
 * @example
 * ```ts
 * const out: WatermarkOutput = { emitWatermark: (t) => console.log('W', t), markIdle: () => {}, markActive: () => {} };
 * const mux = new WatermarkOutputMultiplexer(out);
 * mux.registerNewOutput('a');
 * mux.registerNewOutput('b');
 * mux.getImmediateOutput('a').emitWatermark(2);
 * mux.getImmediateOutput('b').emitWatermark(5); // W 2
 * mux.getImmediateOutput('a').markIdle();       // W 5
 * ```
 * @see Flink's `WatermarkOutputMultiplexer`
 */
export class WatermarkOutputMultiplexer {
  private readonly splits = new Map<string, SplitWatermark>();
  private combined: Timestamp = MIN_WATERMARK;
  /** Whether the underlying output was told it is idle. */
  private idle = false;
  /** Whether anything (a watermark or a status) was ever reported to the underlying output. */
  private reported = false;

  constructor(private readonly underlying: WatermarkOutput) {
    if (underlying === null || typeof underlying !== 'object' || typeof underlying.emitWatermark !== 'function') {
      throw new InvalidArgumentError(ORIGIN, 'underlying', underlying, 'must be a WatermarkOutput { emitWatermark, markIdle, markActive }');
    }
  }

  /** The combined watermark emitted so far (`MIN_WATERMARK` before the first). */
  get currentWatermark(): Timestamp {
    return this.combined;
  }

  /** True when the underlying output is marked idle. */
  get isIdle(): boolean {
    return this.idle;
  }

  /** The ids of the registered splits. */
  get outputIds(): string[] {
    return [...this.splits.keys()];
  }

  /**
   * Registers a split. It holds the combined watermark back (at most where it is) until it reports a
   * watermark or goes idle.
   * @throws StateError when a split with this id is registered already.
   */
  registerNewOutput(id: string): void {
    if (this.splits.has(id)) throw new StateError(ORIGIN, `a split with id ${JSON.stringify(id)} is registered already`);
    this.splits.set(id, new SplitWatermark());
  }

  /**
   * Unregisters a split: it no longer holds the watermark back, from the next update on (the combined
   * watermark does not move at once). Returns whether it was registered.
   */
  unregisterOutput(id: string): boolean {
    return this.splits.delete(id);
  }

  /** The immediate output of split `id`. @throws StateError when no such split is registered. */
  getImmediateOutput(id: string): WatermarkOutput {
    const split = this.split(id);
    return {
      emitWatermark: (time) => {
        if (split.set(time) && time > this.combined) this.update();
        else if (this.idle) this.update();
      },
      markIdle: () => {
        split.idle = true;
        this.update();
      },
      markActive: () => {
        split.idle = false;
        this.update();
      },
    };
  }

  /** The deferred output of split `id`: its updates count at the next {@link onPeriodicEmit}. @throws StateError when no such split is registered. */
  getDeferredOutput(id: string): WatermarkOutput {
    const split = this.split(id);
    return {
      emitWatermark: (time) => {
        split.set(time);
      },
      markIdle: () => {
        split.idle = true;
      },
      markActive: () => {
        split.idle = false;
      },
    };
  }

  /** Combines the deferred updates and emits the combined watermark or status if it changed. */
  onPeriodicEmit(): void {
    this.update();
  }

  private split(id: string): SplitWatermark {
    const s = this.splits.get(id);
    if (s === undefined) throw new StateError(ORIGIN, `no split is registered with id ${JSON.stringify(id)}`);
    return s;
  }

  private update(): void {
    if (this.splits.size === 0) {
      // nothing left to wait for: idle (but never report anything before something was reported)
      if (this.reported && !this.idle) this.setIdle(true);
      return;
    }
    let min = Infinity;
    let max = MIN_WATERMARK;
    let allIdle = true;
    for (const s of this.splits.values()) {
      if (s.watermark > max) max = s.watermark;
      if (s.idle) continue;
      allIdle = false;
      if (s.watermark < min) min = s.watermark;
    }
    if (allIdle) {
      if (max > this.combined) this.emit(max);
      if (!this.idle) this.setIdle(true);
      return;
    }
    if (this.idle) this.setIdle(false);
    if (min > this.combined) this.emit(min);
  }

  private emit(time: Timestamp): void {
    this.combined = time;
    this.reported = true;
    this.underlying.emitWatermark(time);
  }

  private setIdle(idle: boolean): void {
    this.idle = idle;
    this.reported = true;
    if (idle) this.underlying.markIdle();
    else this.underlying.markActive();
  }
}
