import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from './errors';
import { MetricGroup } from './metrics';
import type { JobContext } from './start-element';
import type { ExecutionMode } from './types';

/** Options of a {@link Job}. */
export interface JobOptions {
  /** The job's name (default `"tidemark-job"`). */
  name?: string;
  /** `streaming` (default), `batch`, or `automatic` (batch when every source is bounded). */
  executionMode?: ExecutionMode;
  /** Where processing time comes from (default `asyncScheduler`); pass a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
  /** Number of key groups (default 128), Flink's max parallelism. */
  maxParallelism?: number;
  /** Index of this subtask (default 0) and the number of parallel subtasks (default 1). */
  subtaskIndex?: number;
  parallelism?: number;
}

const MODES: readonly ExecutionMode[] = ['streaming', 'batch', 'automatic'];

/**
 * A job: the name, execution mode, scheduler and metrics shared by the sources and operators of one
 * pipeline. Pass it to sources (`fromCollection(xs, { job })`); they tell every operator downstream
 * through the start element.
 *
 * @example
 * ```ts
 * const job = new Job({ name: 'clicks', executionMode: 'automatic' });
 * fromCollection(clicks, { job }).pipe(keyBy((c) => c.user), sum('n'), values())
 * ```
 * @see Flink's `StreamExecutionEnvironment`
 */
export class Job {
  readonly name: string;
  readonly executionMode: ExecutionMode;
  readonly scheduler: SchedulerLike;
  readonly maxParallelism: number;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly metrics: MetricGroup;

  constructor(options: JobOptions = {}) {
    const origin = { operator: 'Job' };
    this.name = options.name ?? 'tidemark-job';
    this.executionMode = options.executionMode ?? 'streaming';
    if (!MODES.includes(this.executionMode)) {
      throw new InvalidArgumentError(origin, 'executionMode', this.executionMode, "must be 'streaming', 'batch' or 'automatic'");
    }
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.maxParallelism = options.maxParallelism ?? 128;
    if (!Number.isInteger(this.maxParallelism) || this.maxParallelism < 1) {
      throw new InvalidArgumentError(origin, 'maxParallelism', this.maxParallelism, 'must be a positive integer');
    }
    this.parallelism = options.parallelism ?? 1;
    this.subtaskIndex = options.subtaskIndex ?? 0;
    if (!Number.isInteger(this.parallelism) || this.parallelism < 1) {
      throw new InvalidArgumentError(origin, 'parallelism', this.parallelism, 'must be a positive integer');
    }
    if (!Number.isInteger(this.subtaskIndex) || this.subtaskIndex < 0 || this.subtaskIndex >= this.parallelism) {
      throw new InvalidArgumentError(origin, 'subtaskIndex', this.subtaskIndex, `must be an integer in [0, ${this.parallelism})`);
    }
    this.metrics = new MetricGroup(this.name);
  }

  /** The context a source of this job announces in its start element. */
  context(bounded: boolean, restoredState?: ReadonlyMap<string, unknown>): JobContext {
    return {
      jobName: this.name,
      executionMode: this.executionMode,
      bounded,
      subtaskIndex: this.subtaskIndex,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      scheduler: this.scheduler,
      restoredState,
      metrics: this.metrics,
    };
  }
}
