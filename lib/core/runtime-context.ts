import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AggregatingState, AggregatingStateDescriptor } from '../state/descriptors/aggregating-state-descriptor';
import type { ListState, ListStateDescriptor } from '../state/descriptors/list-state-descriptor';
import type { MapState, MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import type { ReducingState, ReducingStateDescriptor } from '../state/descriptors/reducing-state-descriptor';
import type { ValueState, ValueStateDescriptor } from '../state/descriptors/value-state-descriptor';
import type { KeyedStateStore } from '../state/keyed-state-store';
import { NotKeyedError } from './errors';
import { MetricGroup } from './metrics';
import { effectiveMode, type JobContext } from './start-element';

/**
 * What a rich function's `open(ctx)` receives: the job, this operator's name and uid, the subtask, the
 * execution mode in force, the scheduler processing time comes from, and the operator's metrics.
 *
 * @example
 * ```ts
 * map({ open(ctx) { this.prefix = ctx.jobName }, map(v) { return `${this.prefix}:${v}` } })
 * // on a keyed stream, keyed state scoped to the current record's key:
 * map({ open(ctx) { this.n = ctx.getState(new ValueStateDescriptor<number>('n', 0)) }, map(v) { this.n.update(this.n.value()! + 1); return v } })
 * ```
 *
 * The keyed-state getters (`getState`, `getListState`, `getMapState`, `getReducingState`,
 * `getAggregatingState`) work where the operator keeps keyed state; elsewhere, and on records without a
 * key, using the state throws `NotKeyedError`.
 * @see Flink's `RuntimeContext`
 */
export interface RuntimeContext extends KeyedStateStore {
  readonly jobName: string;
  readonly operatorName: string;
  readonly uid: string | undefined;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The execution mode in force (`automatic` resolved). */
  readonly executionMode: 'streaming' | 'batch';
  readonly scheduler: SchedulerLike;
  readonly metrics: MetricGroup;
  /** The job context from the start element, `undefined` when the stream had none. */
  readonly jobContext: JobContext | undefined;
  /** The scheduler's current time: processing time. */
  currentProcessingTime(): number;
  /** `subtaskIndex`, by Flink's name: this subtask's index in its `parallel` stage (0 outside one). */
  getIndexOfThisSubtask(): number;
  /** `parallelism`, by Flink's name: the number of subtasks of this stage (1 outside a `parallel` stage). */
  getNumberOfParallelSubtasks(): number;
  /** `maxParallelism`, by Flink's name: the job's number of key groups. */
  getMaxNumberOfParallelSubtasks(): number;
}

/**
 * A function with a lifecycle: `open(ctx)` runs before the first element, `close()` at completion, error
 * or unsubscribe.
 */
export interface RichFunction {
  open?(context: RuntimeContext): void;
  close?(): void;
}

const fallbackMetrics = new MetricGroup('default');

/** Options every operator accepts to name itself. */
export interface OperatorOptions {
  /** Stable operator id (required for checkpointing stateful operators). */
  uid?: string;
  /** Display name in errors and metrics (defaults to the operator's kind). */
  name?: string;
  /** Processing-time scheduler for this operator (defaults to the job's, else `asyncScheduler`). */
  scheduler?: SchedulerLike;
  /** Where this operator registers its metrics (defaults to a sub-group of the job's metrics). */
  metrics?: MetricGroup;
}

/** Builds the runtime context of one operator instance; `keyedState` backs its keyed-state getters. */
export function createRuntimeContext(
  operatorName: string,
  options: OperatorOptions | undefined,
  job: JobContext | undefined,
  keyedState?: KeyedStateStore,
): RuntimeContext {
  const scheduler = options?.scheduler ?? job?.scheduler ?? asyncScheduler;
  const uid = options?.uid;
  const metrics = options?.metrics ?? (job?.metrics ?? fallbackMetrics).group(uid ?? operatorName);
  const origin = { operator: options?.name ?? operatorName, uid };
  const store = (): KeyedStateStore => {
    if (keyedState === undefined) throw new NotKeyedError(origin, 'keyed state');
    return keyedState;
  };
  const subtaskIndex = job?.subtaskIndex ?? 0;
  const parallelism = job?.parallelism ?? 1;
  const maxParallelism = job?.maxParallelism ?? 128;
  return {
    getState: <T>(d: ValueStateDescriptor<T>): ValueState<T> => store().getState(d),
    getListState: <T>(d: ListStateDescriptor<T>): ListState<T> => store().getListState(d),
    getMapState: <K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> => store().getMapState(d),
    getReducingState: <T>(d: ReducingStateDescriptor<T>): ReducingState<T> => store().getReducingState(d),
    getAggregatingState: <IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> => store().getAggregatingState(d),
    jobName: job?.jobName ?? 'tidemark-job',
    operatorName,
    uid,
    subtaskIndex,
    parallelism,
    maxParallelism,
    executionMode: effectiveMode(job),
    scheduler,
    metrics,
    jobContext: job,
    currentProcessingTime: () => scheduler.now(),
    getIndexOfThisSubtask: () => subtaskIndex,
    getNumberOfParallelSubtasks: () => parallelism,
    getMaxNumberOfParallelSubtasks: () => maxParallelism,
  };
}
