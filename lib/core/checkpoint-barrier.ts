import { ElementKind, isElementOf, StreamElementBase } from './stream-element';

/** How an operator acknowledges a barrier: with the handle of the state it wrote (or `undefined`). */
export interface BarrierAcknowledger {
  acknowledge(operatorUid: string, stateHandle: unknown): void;
  decline(operatorUid: string, reason: Error): void;
}

/**
 * A checkpoint barrier: sources emit it when a checkpoint is triggered; each operator snapshots its state
 * when it passes, and multi-input operators align their inputs on it first.
 *
 * @example
 * ```ts
 * new CheckpointBarrier(1, 1_700_000_000_000, 'checkpoint')
 * ```
 * @see Flink's `CheckpointBarrier`
 */
export class CheckpointBarrier extends StreamElementBase {
  readonly kind = ElementKind.Barrier;
  /** True for CheckpointBarrier elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is CheckpointBarrier {
    return isElementOf(this, CheckpointBarrier, ElementKind.Barrier, x);
  }
  constructor(
    readonly checkpointId: number,
    readonly timestamp: number,
    readonly type: 'checkpoint' | 'savepoint' = 'checkpoint',
    readonly acknowledger: BarrierAcknowledger | undefined = undefined,
    readonly unaligned = false,
    /** When false, operators may write only what changed since the previous checkpoint (incremental). */
    readonly full = true,
  ) {
    super();
  }
}
