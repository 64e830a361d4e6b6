import type { SchedulerLike } from 'rxjs';
import { ElementKind, isElementOf, StreamElementBase } from './stream-element';
import type { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator';
import type { MetricGroup } from './metrics';
import type { ExecutionMode } from './types';

/**
 * What a job's sources tell every operator before the first record: the job, the execution mode,
 * whether the input is bounded, the subtask and the restored state.
 */
export interface JobContext {
  readonly jobName: string;
  /** The mode the job was configured with. Use {@link effectiveMode} for the mode in force. */
  readonly executionMode: ExecutionMode;
  /** True when every source feeding this stream is bounded. */
  readonly bounded: boolean;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly scheduler: SchedulerLike;
  /** State restored from a checkpoint or savepoint, by operator uid (the Checkpoints work fills it). */
  readonly restoredState: ReadonlyMap<string, unknown> | undefined;
  /** The job's metrics; each operator registers its own under a sub-group. */
  readonly metrics: MetricGroup;
  /** The checkpoint coordinator when the job checkpoints: stateful operators register their uid with it. */
  readonly checkpoints?: CheckpointCoordinator | undefined;
  /**
   * True once the job stopped with a savepoint without draining: its streams then complete without an end
   * of input, so operators fire no timers or windows at completion (the restored job will).
   */
  readonly isStopped?: () => boolean;
}

/**
 * The first element of a job's stream: carries the {@link JobContext}. Operators open their rich
 * functions and restore their state when it passes.
 *
 * @example
 * ```ts
 * new StartElement(new Job({ name: 'clicks' }).context(true))
 * ```
 */
export class StartElement extends StreamElementBase {
  readonly kind = ElementKind.Start;
  /** True for StartElement elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is StartElement {
    return isElementOf(this, StartElement, ElementKind.Start, x);
  }
  constructor(readonly context: JobContext) {
    super();
  }
}

/** The mode in force: batch when configured so, or when automatic and every source is bounded. */
export function effectiveMode(context: JobContext | undefined): 'streaming' | 'batch' {
  if (context === undefined) return 'streaming';
  if (context.executionMode === 'batch') return 'batch';
  return context.executionMode === 'automatic' && context.bounded ? 'batch' : 'streaming';
}
