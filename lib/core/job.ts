import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { CheckpointCoordinator, type CheckpointConfig, type CheckpointStats } from '../checkpoint/checkpoint-coordinator';
import { subtaskForKeyGroup } from '../keyed/key-group';
import { CheckpointError, InvalidArgumentError, NonRestoredStateError } from './errors';
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
  /**
   * Turns checkpointing on: every `interval` ms the sources emit a barrier and every stateful operator
   * (each needs a `uid`) writes its state to `storage` (default in memory). See docs/checkpoints.md.
   */
  checkpoints?: CheckpointConfig;
  /**
   * What a checkpointed job starts from: `'latest'` (default: the newest complete checkpoint, if any),
   * `'none'`, or a savepoint by name ({@link SavepointRestore}). A subtask (`subtaskIndex` of
   * `parallelism`) restores the key groups it owns and its share of the operator state.
   */
  restoreFrom?: 'latest' | 'none' | SavepointRestore;
  /**
   * Start even when the restored checkpoint or savepoint holds state of a uid that no operator of this job
   * registers: that state is dropped (default false: the job fails with a `NonRestoredStateError` naming
   * the uids). Flink's `--allowNonRestoredState`.
   */
  allowNonRestoredState?: boolean;
}

/**
 * A savepoint to start from: its name, and the job that took it when it is not this one.
 *
 * @example
 * ```ts
 * const job = new Job({ name: 'clicks-v2', checkpoints: { interval: 10_000 }, restoreFrom: { savepoint: 'before-upgrade', job: 'clicks' } });
 * ```
 */
export interface SavepointRestore {
  /** The savepoint's name. */
  savepoint: string;
  /**
   * The job whose savepoint it is (default: this job). A job restores another job's savepoint only when
   * named here; a savepoint whose metadata names another job than this one is refused.
   */
  job?: string;
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
  /** The checkpoint coordinator, when `checkpoints` is set. */
  readonly coordinator: CheckpointCoordinator | undefined;
  private readonly restoreFrom: 'latest' | 'none' | SavepointRestore;
  private readonly allowNonRestoredState: boolean;
  private nonRestoredChecked = false;
  /** Set by stopWithSavepoint without drain: the streams complete without an end of input. */
  private stoppedWithoutDrain = false;
  /** One function for every context of this job (contexts of one job compare equal). */
  private readonly isStopped = (): boolean => this.stoppedWithoutDrain;
  private preparing: Promise<void> | undefined;
  private restored: ReadonlyMap<string, unknown> | undefined;
  private prepared = false;
  private readonly failureListeners = new Set<(err: Error) => void>();
  private activeSources = 0;

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
    this.restoreFrom = options.restoreFrom ?? 'latest';
    const rf = this.restoreFrom;
    if (
      rf !== 'latest' &&
      rf !== 'none' &&
      (rf === null || typeof rf !== 'object' || typeof rf.savepoint !== 'string' || rf.savepoint === '' || (rf.job !== undefined && (typeof rf.job !== 'string' || rf.job === '')))
    ) {
      throw new InvalidArgumentError(origin, 'restoreFrom', rf, "must be 'latest', 'none' or { savepoint: 'name', job?: 'job-name' }");
    }
    this.allowNonRestoredState = options.allowNonRestoredState ?? false;
    if (typeof this.allowNonRestoredState !== 'boolean') throw new InvalidArgumentError(origin, 'allowNonRestoredState', this.allowNonRestoredState, 'must be a boolean');
    this.coordinator =
      options.checkpoints === undefined
        ? undefined
        : new CheckpointCoordinator(this.name, options.checkpoints, this.scheduler, this.metrics.group('checkpoints'), (err) => this.fail(err), this.maxParallelism);
    this.prepared = this.coordinator === undefined;
  }

  /** True once the job is ready for its sources to start (restored, when it checkpoints). */
  get isPrepared(): boolean {
    return this.prepared;
  }

  /**
   * Restores the job's state (once; later calls return the same promise): the latest complete checkpoint,
   * a savepoint, or nothing, as `restoreFrom` says. Sources call it before their first element; call it
   * yourself first to make the sources start synchronously (in a marble test, say).
   * @throws {@link CheckpointError} or `StorageUnavailableError` (as a rejection) when it cannot restore.
   */
  prepare(): Promise<void> {
    this.preparing ??= (async () => {
      const c = this.coordinator;
      if (c !== undefined) {
        const rf = this.restoreFrom;
        const { maxParallelism, parallelism, subtaskIndex } = this;
        const keyGroups = parallelism === 1 ? {} : { keyGroups: (g: number) => subtaskForKeyGroup(g, maxParallelism, parallelism) === subtaskIndex };
        const restored = await c.restore(rf === 'latest' || rf === 'none' ? keyGroups : { savepoint: rf.savepoint, ...(rf.job === undefined ? {} : { job: rf.job }), ...keyGroups });
        this.restored = rf === 'none' ? undefined : restored;
      }
      this.prepared = true;
    })();
    return this.preparing;
  }

  /** Every checkpoint's outcome (nothing when the job does not checkpoint). */
  get checkpointStats(): Observable<CheckpointStats> {
    if (this.coordinator === undefined) throw new CheckpointError({ operator: `Job "${this.name}"` }, 'the job does not checkpoint: set checkpoints: { interval } in its options');
    return this.coordinator.stats;
  }

  /**
   * Takes a savepoint now: a full, named checkpoint kept until deleted, in the format described in
   * docs/checkpoints.md. Without a name it is named `savepoint-<id>` (the stats carry the name).
   *
   * @example
   * ```ts
   * const stats = await job.savepoint('before-upgrade');
   * // later: new Job({ name: job.name, checkpoints: { interval: 10_000 }, restoreFrom: { savepoint: 'before-upgrade' } })
   * ```
   * @throws {@link CheckpointError} (as a rejection) when the job does not checkpoint, or the savepoint fails.
   */
  savepoint(name?: string): Promise<CheckpointStats> {
    if (this.coordinator === undefined) {
      return Promise.reject(new CheckpointError({ operator: `Job "${this.name}"` }, 'savepoints need checkpointing: set checkpoints: { interval } in the job options'));
    }
    return this.coordinator.trigger({ kind: 'savepoint', ...(name === undefined ? {} : { name }) });
  }

  /**
   * Stops the job with a savepoint, as Flink's `stop --savepointPath`: every source emits the savepoint's
   * barrier and then nothing more; once the savepoint is complete the sources end and the job completes
   * (with `drain: true` they first emit the end-of-input watermark, which fires every event-time timer and
   * window, as `stop --drain`). If the savepoint fails, the sources go on and the promise rejects.
   *
   * @example
   * ```ts
   * const stats = await job.stopWithSavepoint('v1'); // the job's streams complete after it
   * ```
   * @throws {@link CheckpointError} (as a rejection) when the job does not checkpoint, no source runs, a
   * source cannot stop after its barrier, or the savepoint fails.
   */
  stopWithSavepoint(name?: string, options: { drain?: boolean } = {}): Promise<CheckpointStats> {
    if (this.coordinator === undefined) {
      return Promise.reject(new CheckpointError({ operator: `Job "${this.name}"` }, 'stop with savepoint needs checkpointing: set checkpoints: { interval } in the job options'));
    }
    const drain = options.drain === true;
    this.stoppedWithoutDrain = !drain;
    return this.coordinator.trigger({ kind: 'savepoint', ...(name === undefined ? {} : { name }), stop: true, drain }).catch((err: unknown) => {
      this.stoppedWithoutDrain = false;
      throw err;
    });
  }

  /**
   * Called by a source when it starts: returns a function to call when it ends. The coordinator starts
   * with the first source and stops when the last one ends. `onFailure` hears a fatal checkpoint failure.
   * @internal
   */
  sourceStarted(onFailure: (err: Error) => void): () => void {
    this.failureListeners.add(onFailure);
    this.activeSources++;
    this.coordinator?.start();
    if (this.restored !== undefined && !this.nonRestoredChecked) {
      // every operator registers when the start element reaches it, synchronously after its source starts
      void Promise.resolve().then(() => {
        try {
          this.checkRestoredState();
        } catch (err) {
          this.fail(err as Error);
        }
      });
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.failureListeners.delete(onFailure);
      if (--this.activeSources === 0) this.coordinator?.stop();
    };
  }

  /**
   * Checks, once, that every uid of the restored state was taken by an operator (unless
   * `allowNonRestoredState`). Runs in a promise job after the first source started, when every source
   * subscribed with it has started and every operator has opened (a job that runs to its end
   * synchronously before that, on a virtual scheduler, is not checked).
   * @throws {@link NonRestoredStateError} naming the uids no operator registered.
   * @internal
   */
  checkRestoredState(): void {
    const c = this.coordinator;
    if (this.nonRestoredChecked || c === undefined || this.restored === undefined) return;
    this.nonRestoredChecked = true;
    if (this.allowNonRestoredState) return;
    const registered = new Set(c.registeredUids());
    const unknown = [...this.restored.keys()].filter((uid) => !registered.has(uid));
    if (unknown.length > 0) throw new NonRestoredStateError({ operator: `Job "${this.name}"` }, unknown);
  }

  private fail(err: Error): void {
    for (const f of [...this.failureListeners]) f(err);
  }

  /** The context a source of this job announces in its start element. */
  context(bounded: boolean, restoredState: ReadonlyMap<string, unknown> | undefined = this.restored): JobContext {
    return {
      checkpoints: this.coordinator,
      jobName: this.name,
      executionMode: this.executionMode,
      bounded,
      subtaskIndex: this.subtaskIndex,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      scheduler: this.scheduler,
      restoredState,
      metrics: this.metrics,
      isStopped: this.isStopped,
    };
  }
}
