/**
 * The checkpoint coordinator: triggers checkpoints on the job's scheduler, has the sources emit barriers,
 * collects every participant's acknowledgement, writes their state to the storage, and completes a
 * checkpoint (metadata last) only when all of them have acknowledged and every write has landed.
 * @module
 */
import { type Observable, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import { type BarrierAcknowledger, CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError, describeValue } from '../core/errors';
import type { MetricGroup } from '../core/metrics';
import { defaultStateSerializer } from '../state/serializer';
import {
  CHECKPOINT_FORMAT,
  type CheckpointMetadata,
  type CheckpointStorage,
  OPERATOR_STATE,
  type OperatorStateHandles,
  type StateHandle,
  type StatePart,
  TOMBSTONE,
} from './checkpoint-storage';
import { MemoryCheckpointStorage } from './memory-checkpoint-storage';

/** How a job checkpoints. Only `interval` is required. */
export interface CheckpointConfig {
  /** Time between the triggers of two checkpoints, in ms of the job's scheduler. */
  interval: number;
  /** A checkpoint not complete after this many ms fails whole (default 600 000, Flink's 10 minutes). */
  timeout?: number;
  /** At least this many ms between the end of one checkpoint and the trigger of the next (default 0). */
  minPause?: number;
  /** How many checkpoints may be in progress at once (default 1). */
  maxConcurrent?: number;
  /** How many failed checkpoints in a row the job tolerates before it fails (default 0, as in Flink). */
  tolerableFailures?: number;
  /** `exactly-once` (default: multi-input operators align barriers) or `at-least-once` (they do not). */
  mode?: 'exactly-once' | 'at-least-once';
  /** Unaligned barriers: overtaken records go into the snapshot (exactly-once only; default false). */
  unaligned?: boolean;
  /**
   * Aligned barriers: how many elements a multi-input operator may buffer (over its inputs) while it waits
   * for a barrier on its slower inputs (default 100 000). Past it, that checkpoint is aborted and counts as
   * a failure (see `tolerableFailures`); the job goes on.
   */
  alignmentBufferLimit?: number;
  /** How many complete checkpoints to keep (default 1, Flink's `state.checkpoints.num-retained`). */
  retained?: number;
  /** Where checkpoints go (default a new {@link MemoryCheckpointStorage}). */
  storage?: CheckpointStorage;
  /** Write only what changed since the last checkpoint (default true). */
  incremental?: boolean;
  /** With `incremental`, a full checkpoint after this many incremental ones (default 10). */
  fullEvery?: number;
}

/** A checkpoint's outcome, published by {@link CheckpointCoordinator.stats} and the job's metrics. */
export interface CheckpointStats {
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** The savepoint's name (savepoints only). */
  readonly name?: string;
  readonly status: 'completed' | 'failed';
  /** Scheduler time of the trigger and the duration until completion or failure, in ms. */
  readonly triggeredAt: number;
  readonly duration: number;
  /** Bytes and entries written by this checkpoint (not those it reuses from earlier ones). */
  readonly bytes: number;
  readonly entries: number;
  /** Whether every participant wrote its whole state. */
  readonly full: boolean;
  /** The longest synchronous part of a snapshot at a barrier, in ms, as participants reported it. */
  readonly longestSyncPause: number;
  /** Why it failed. */
  readonly failure?: string;
}

/**
 * What a participant acknowledges a barrier with: its state as serialized parts. A participant that
 * acknowledges anything else has it written whole, with the default serializer, as one operator-state
 * entry (and gets it back as it was on restore).
 */
export interface OperatorSnapshot {
  /** Marks the shape. */
  readonly parts: true;
  /** Keyed state by key group: field → serialized value ({@link TOMBSTONE} deletes, in an increment). */
  readonly keyed?: ReadonlyMap<number, ReadonlyArray<readonly [string, string]>>;
  /**
   * Keyed state copied at the barrier but not serialized yet: the coordinator serializes it in slices
   * between records (yielding to the job's scheduler after each), groups it by key group and writes it,
   * so the synchronous part of a snapshot is the copy. Merged with `keyed` when both are given.
   */
  readonly deferred?: DeferredKeyedState;
  /** Operator (non-keyed) state: field → serialized value. Always whole. */
  readonly operator?: ReadonlyArray<readonly [string, string]>;
  /** True when `keyed` holds only what changed since the previous checkpoint. */
  readonly incremental?: boolean;
  /** How long the synchronous part of the snapshot took, in ms. */
  readonly syncMillis?: number;
  /** The operator's kind (`keyedProcess`, `fromCollection`...), recorded in the metadata and checked on restore. */
  readonly kind?: string;
  /** The names of its states, recorded in the metadata (savepoints describe themselves). */
  readonly states?: readonly string[];
}

/**
 * Keyed state an operator copied at a barrier (only what changed, in an increment) and leaves to the
 * coordinator to serialize later, a slice of entries at a time, while records keep flowing. What it
 * copied must not change afterwards: copy values that the operator mutates in place (or serialize them at
 * once).
 *
 * @example
 * ```ts
 * const changed: Array<[string, number]> = [['ann', 3], ['bob', 1]]; // copied at the barrier
 * const deferred: DeferredKeyedState = {
 *   size: changed.length,
 *   serialize(from, to, put) {
 *     for (let i = from; i < to; i++) put(keyGroupOf(changed[i]![0], 128), JSON.stringify(changed[i]![0]), JSON.stringify(changed[i]![1]));
 *   },
 * };
 * ```
 */
export interface DeferredKeyedState {
  /** The number of entries. */
  readonly size: number;
  /** Serializes entries `[from, to)`, calling `put(keyGroup, field, value)` for each. */
  serialize(from: number, to: number, put: (keyGroup: number, field: string, value: string) => void): void;
}

/** Entries serialized per slice of a {@link DeferredKeyedState} (a larger one is serialized one slice per action on the job's scheduler). */
export const SERIALIZE_SLICE = 2048;

/** What a participant gets back on restore when it acknowledged an {@link OperatorSnapshot}. */
export interface RestoredParts {
  readonly parts: true;
  readonly checkpointId: number;
  /** The kind of operator that wrote it, when it said (see {@link OperatorSnapshot.kind}). */
  readonly kind?: string;
  readonly keyed: ReadonlyMap<number, ReadonlyMap<string, string>>;
  readonly operator: ReadonlyMap<string, string>;
}

/**
 * A source of the job: emits a barrier when asked (between two records). For stop-with-savepoint a source
 * also implements `suspend` (emit nothing more after the barrier it just emitted), `resume` (the savepoint
 * failed: go on) and `finish` (the savepoint is complete: end the stream, with the end-of-input watermark
 * when `drain`).
 */
export interface CheckpointSource {
  readonly uid: string;
  emitBarrier(barrier: CheckpointBarrier): void;
  suspend?(): void;
  resume?(): void;
  finish?(drain: boolean): void;
}

/** Hooks of a participant that needs to hear how checkpoints end (two-phase-commit sinks). */
export interface CheckpointListener {
  notifyCheckpointComplete?(checkpointId: number): void;
  notifyCheckpointAborted?(checkpointId: number, reason: Error): void;
}

const WHOLE = '@whole';

function isOperatorSnapshot(x: unknown): x is OperatorSnapshot {
  return typeof x === 'object' && x !== null && (x as { parts?: unknown }).parts === true;
}

interface Pending {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly name: string | undefined;
  readonly full: boolean;
  readonly triggeredAt: number;
  readonly awaiting: Set<string>;
  /** Writes started and not yet landed. */
  outstanding: number;
  readonly handles: Map<string, StateHandle[]>;
  readonly incrementalUids: Set<string>;
  /** What each participant said it is: its kind and state names. */
  readonly described: Map<string, { kind?: string; states?: readonly string[] }>;
  bytes: number;
  entries: number;
  syncPause: number;
  /** Every acknowledgement is in and every write has landed. */
  written: boolean;
  /** The metadata is being written. */
  completing: boolean;
  done: boolean;
  timeout: Subscription | undefined;
  readonly settle: { resolve(s: CheckpointStats): void; reject(e: Error): void };
}

function positive(origin: { operator: string }, name: string, v: unknown, allowZero = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new InvalidArgumentError(origin, `checkpoints.${name}`, v, allowZero ? 'must be a finite number ≥ 0' : 'must be a finite number > 0');
  }
}

/**
 * Runs a job's checkpoints. A {@link Job} with `checkpoints` in its options owns one; sources and
 * operators find it in the job context. Users never build acknowledgers or barriers by hand.
 *
 * It's like Flink's `CheckpointCoordinator`, but in-process and driven by an RxJS scheduler, so a
 * `TestScheduler` runs checkpoint intervals and timeouts in virtual time.
 *
 * @example
 * ```ts
 * const coordinator = new CheckpointCoordinator('clicks', { interval: 1_000 }, asyncScheduler, new MetricGroup());
 * coordinator.stats.subscribe((s) => console.log(s.checkpointId, s.status, s.duration));
 * ```
 * @see Flink's `CheckpointCoordinator`
 */
export class CheckpointCoordinator {
  readonly storage: CheckpointStorage;
  readonly interval: number;
  readonly timeout: number;
  readonly minPause: number;
  readonly maxConcurrent: number;
  readonly tolerableFailures: number;
  readonly mode: 'exactly-once' | 'at-least-once';
  readonly unaligned: boolean;
  readonly alignmentBufferLimit: number;
  readonly retained: number;
  readonly incremental: boolean;
  readonly fullEvery: number;

  private readonly participants = new Map<string, CheckpointListener | undefined>();
  /** Every uid that ever registered (restored state is checked against it). */
  private readonly everRegistered = new Set<string>();
  private readonly sources = new Map<string, CheckpointSource>();
  private readonly pending = new Map<number, Pending>();
  private readonly statsSubject = new Subject<CheckpointStats>();
  /** Per uid and key group, the handles the last complete checkpoint restores from (oldest first). */
  private lastHandles = new Map<string, Map<number, StateHandle[]>>();
  private sinceFull = Infinity;
  private failuresInARow = 0;
  /** The last completed checkpoint's statistics (read by the gauges). */
  private lastCompleted: CheckpointStats | undefined;
  private lastEnd = -Infinity;
  private timer: Subscription | undefined;
  /** Set when failures passed the tolerable number: the job failed, nothing restarts the timer. */
  private stopped = false;
  /** The last checkpoint id given; undefined until restore() ran. */
  private lastId: number | undefined;
  private readonly origin: { operator: string };

  constructor(
    readonly jobName: string,
    config: CheckpointConfig,
    private readonly scheduler: SchedulerLike,
    private readonly metrics: MetricGroup,
    /** Called once when failures pass the tolerable number: the job fails with this error. */
    private readonly onFatal: (err: Error) => void = () => {},
    /** The job's number of key groups, recorded in each checkpoint. */
    private readonly maxParallelism = 128,
  ) {
    this.origin = { operator: `checkpoints of job "${jobName}"` };
    if (config === null || typeof config !== 'object') throw new InvalidArgumentError(this.origin, 'checkpoints', config, 'must be an object like { interval: 1000 }');
    positive(this.origin, 'interval', config.interval);
    this.interval = config.interval;
    this.timeout = config.timeout ?? 600_000;
    positive(this.origin, 'timeout', this.timeout);
    this.minPause = config.minPause ?? 0;
    positive(this.origin, 'minPause', this.minPause, true);
    this.maxConcurrent = config.maxConcurrent ?? 1;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) throw new InvalidArgumentError(this.origin, 'checkpoints.maxConcurrent', this.maxConcurrent, 'must be an integer ≥ 1');
    this.tolerableFailures = config.tolerableFailures ?? 0;
    if (!Number.isInteger(this.tolerableFailures) || this.tolerableFailures < 0) {
      throw new InvalidArgumentError(this.origin, 'checkpoints.tolerableFailures', this.tolerableFailures, 'must be an integer ≥ 0');
    }
    this.mode = config.mode ?? 'exactly-once';
    if (this.mode !== 'exactly-once' && this.mode !== 'at-least-once') throw new InvalidArgumentError(this.origin, 'checkpoints.mode', this.mode, "must be 'exactly-once' or 'at-least-once'");
    this.unaligned = config.unaligned ?? false;
    if (this.unaligned && this.mode !== 'exactly-once') throw new InvalidArgumentError(this.origin, 'checkpoints.unaligned', true, "needs mode 'exactly-once'");
    this.alignmentBufferLimit = config.alignmentBufferLimit ?? 100_000;
    if (!(this.alignmentBufferLimit >= 1) || (!Number.isInteger(this.alignmentBufferLimit) && this.alignmentBufferLimit !== Infinity)) {
      throw new InvalidArgumentError(this.origin, 'checkpoints.alignmentBufferLimit', this.alignmentBufferLimit, 'must be an integer ≥ 1 (or Infinity)');
    }
    this.retained = config.retained ?? 1;
    if (!Number.isInteger(this.retained) || this.retained < 1) throw new InvalidArgumentError(this.origin, 'checkpoints.retained', this.retained, 'must be an integer ≥ 1');
    this.incremental = config.incremental ?? true;
    this.fullEvery = config.fullEvery ?? 10;
    if (!Number.isInteger(this.fullEvery) || this.fullEvery < 1) throw new InvalidArgumentError(this.origin, 'checkpoints.fullEvery', this.fullEvery, 'must be an integer ≥ 1');
    this.storage = config.storage ?? new MemoryCheckpointStorage();
    metrics.gauge('numberOfInProgressCheckpoints', () => this.pending.size);
    metrics.gauge('lastCheckpointDuration', () => this.lastCompleted?.duration ?? 0);
    metrics.gauge('lastCheckpointSize', () => this.lastCompleted?.bytes ?? 0);
  }

  /** Every checkpoint's outcome, completed or failed. */
  get stats(): Observable<CheckpointStats> {
    return this.statsSubject.asObservable();
  }

  /**
   * Registers an operator or sink by uid when it opens: every checkpoint triggered from then on waits for
   * its acknowledgement. Returns a function that unregisters it.
   * @throws {@link CheckpointError} when another participant has the same uid.
   */
  register(uid: string, listener?: CheckpointListener): () => void {
    if (typeof uid !== 'string' || uid.length === 0) throw new CheckpointError(this.origin, `a participant needs a non-empty uid, got ${describeValue(uid)}`);
    if (this.participants.has(uid)) {
      throw new CheckpointError(this.origin, `two stateful operators have the uid "${uid}": give each its own ({ uid: '...' } in its options)`);
    }
    this.participants.set(uid, listener);
    // An operator opens before the first barrier reaches it, so a checkpoint in progress waits for it too
    // (a multi-input operator may open after the trigger, when its slower input's start element arrives).
    for (const p of this.pending.values()) if (!p.done && !p.written) p.awaiting.add(uid);
    this.everRegistered.add(uid);
    return () => {
      this.participants.delete(uid);
      for (const p of this.pending.values()) if (p.awaiting.delete(uid)) this.maybeComplete(p);
    };
  }

  /** Registers a source; the coordinator asks it to emit each checkpoint's barrier. */
  registerSource(source: CheckpointSource): () => void {
    if (this.sources.has(source.uid)) throw new CheckpointError(this.origin, `two sources have the uid "${source.uid}": give each its own`);
    this.sources.set(source.uid, source);
    return () => this.sources.delete(source.uid);
  }

  /** Starts triggering a checkpoint every `interval` ms on the scheduler. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.timer = this.scheduler.schedule(tick, this.interval);
      if (this.pending.size >= this.maxConcurrent) return;
      if (this.scheduler.now() - this.lastEnd < this.minPause) return;
      if (this.sources.size === 0) return;
      this.trigger().catch(() => {});
    };
    this.timer = this.scheduler.schedule(tick, this.interval);
  }

  /** Stops triggering (until the next start()); checkpoints in progress are failed. */
  stop(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
    for (const p of [...this.pending.values()]) this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id} was in progress when the job stopped`), false);
  }

  /**
   * Triggers a checkpoint (or, with `kind: 'savepoint'`, a savepoint) now: every source is asked for its
   * barrier at once. Resolves with its statistics once it is complete, rejects when it fails.
   *
   * A savepoint without a name is named `savepoint-<id>`. With `stop` (savepoints only), every source is
   * suspended right after its barrier, so nothing follows the savepoint; once it is complete the sources
   * finish (with the end-of-input watermark when `drain`), and if it fails they resume.
   */
  trigger(options: { kind?: 'checkpoint' | 'savepoint'; name?: string; stop?: boolean; drain?: boolean } = {}): Promise<CheckpointStats> {
    const kind = options.kind ?? 'checkpoint';
    if (kind === 'savepoint' && options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
      return Promise.reject(new InvalidArgumentError(this.origin, 'name', options.name, 'a savepoint name must be a non-empty string'));
    }
    if (this.lastId === undefined) {
      return Promise.reject(new CheckpointError(this.origin, 'restore() must run before the first checkpoint (it finds the ids already used and the state to continue from)'));
    }
    const stop = options.stop === true;
    if (stop) {
      if (kind !== 'savepoint') return Promise.reject(new InvalidArgumentError(this.origin, 'stop', true, 'only a savepoint stops the job'));
      if (this.sources.size === 0) return Promise.reject(new CheckpointError(this.origin, 'no source of the job is running: there is nothing to stop'));
      const unable = [...this.sources.values()].filter((s) => s.suspend === undefined || s.resume === undefined || s.finish === undefined);
      if (unable.length > 0) {
        return Promise.reject(new CheckpointError(this.origin, `stop with savepoint needs every source to stop after its barrier, and ${unable.map((s) => `"${s.uid}"`).join(', ')} cannot: take a savepoint (job.savepoint()) and cancel the job instead`));
      }
    }
    const triggeredAt = this.scheduler.now();
    // Ids are given here, synchronously, so that the barrier leaves at the trigger's (virtual) time.
    // They never repeat one in storage: restore() starts after every id it finds there, and deletes the
    // parts of checkpoints that never completed.
    const id = ++this.lastId;
    const name = kind === 'savepoint' ? (options.name ?? `savepoint-${id}`) : undefined;
    const full = kind === 'savepoint' || !this.incremental || this.sinceFull >= this.fullEvery;
    if (kind === 'checkpoint') this.sinceFull = full ? 1 : this.sinceFull + 1;
    const sources = [...this.sources.values()];
    const done = new Promise<CheckpointStats>((resolve, reject) => {
      const p: Pending = {
        id,
        kind,
        name,
        full,
        triggeredAt,
        awaiting: new Set(this.participants.keys()),
        outstanding: 0,
        handles: new Map(),
        incrementalUids: new Set(),
        described: new Map(),
        bytes: 0,
        entries: 0,
        syncPause: 0,
        written: false,
        completing: false,
        done: false,
        timeout: undefined,
        settle: { resolve, reject },
      };
      this.pending.set(id, p);
      p.timeout = this.scheduler.schedule(() => this.fail(p, new CheckpointError(this.origin, `checkpoint ${id} expired after ${this.timeout} ms before every operator acknowledged (waiting for ${[...p.awaiting].map((u) => `"${u}"`).join(', ') || 'its writes'})`)), this.timeout);
      const barrier = new CheckpointBarrier(id, triggeredAt, kind, this.acknowledgerFor(p), this.unaligned, full);
      for (const s of sources) {
        s.emitBarrier(barrier);
        if (stop) s.suspend!();
      }
      this.maybeComplete(p);
    });
    if (!stop) return done;
    return done.then(
      (stats) => {
        for (const s of sources) s.finish!(options.drain === true);
        return stats;
      },
      (err: unknown) => {
        for (const s of sources) s.resume!();
        throw err;
      },
    );
  }

  private acknowledgerFor(p: Pending): BarrierAcknowledger {
    return {
      acknowledge: (uid, handle) => this.acknowledge(p, uid, handle),
      decline: (uid, reason) => this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id} was declined by "${uid}": ${reason.message}`, { cause: reason })),
    };
  }

  private acknowledge(p: Pending, uid: string, handle: unknown): void {
    if (p.done || !p.awaiting.delete(uid)) return;
    let snapshot: OperatorSnapshot;
    try {
      snapshot = isOperatorSnapshot(handle) ? handle : { parts: true, operator: [[WHOLE, defaultStateSerializer.serialize(handle)]] };
    } catch (err) {
      this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id}: the state of "${uid}" cannot be written: ${(err as Error).message}`, { cause: err }));
      return;
    }
    p.syncPause = Math.max(p.syncPause, snapshot.syncMillis ?? 0);
    if (snapshot.incremental === true) p.incrementalUids.add(uid);
    if (snapshot.kind !== undefined || snapshot.states !== undefined) {
      p.described.set(uid, { ...(snapshot.kind === undefined ? {} : { kind: snapshot.kind }), ...(snapshot.states === undefined ? {} : { states: [...snapshot.states] }) });
    }
    const list: StateHandle[] = [];
    p.handles.set(uid, list);
    /** Writes the parts in one batch when the storage can (one round trip), else part by part. */
    const write = (parts: StatePart[]): void => {
      if (parts.length === 0) return;
      p.outstanding++;
      const storage = this.storage;
      const written = storage.writeStates !== undefined ? storage.writeStates(this.jobName, p.id, parts) : Promise.all(parts.map((part) => storage.writeState(this.jobName, p.id, part)));
      written.then(
        (hs) => {
          for (const h of hs) {
            p.bytes += h.bytes;
            p.entries += h.entries;
            list.push(h);
          }
          p.outstanding--;
          this.maybeComplete(p);
        },
        (err: unknown) => this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id}: writing state to ${this.storage.description} failed: ${(err as Error).message}`, { cause: err })),
      );
    };
    const refused = (err: unknown): void =>
      this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id}: the state of "${uid}" cannot be written: ${(err as Error).message}`, { cause: err }));
    try {
      const now: StatePart[] = [];
      if (snapshot.operator !== undefined) now.push({ uid, keyGroup: OPERATOR_STATE, entries: snapshot.operator });
      if (snapshot.deferred !== undefined) this.serializeLater(p, uid, snapshot.deferred, snapshot.keyed, write, refused);
      else if (snapshot.keyed !== undefined) for (const [g, entries] of snapshot.keyed) now.push({ uid, keyGroup: g, entries });
      write(now);
    } catch (err) {
      // A synchronous refusal (a bad name or entry).
      refused(err);
      return;
    }
    this.maybeComplete(p);
  }

  /**
   * Serializes `deferred` after the barrier: up to one slice in a microtask, more a slice per action on
   * the job's scheduler (records flow in between), then writes its key groups in one batch (with `keyed`'s
   * entries first). The
   * checkpoint counts it as an outstanding write until then, so it never completes before.
   */
  private serializeLater(
    p: Pending,
    uid: string,
    deferred: DeferredKeyedState,
    keyed: OperatorSnapshot['keyed'],
    write: (parts: StatePart[]) => void,
    refused: (err: unknown) => void,
  ): void {
    const groups = new Map<number, Array<readonly [string, string]>>();
    if (keyed !== undefined) for (const [g, entries] of keyed) groups.set(g, [...entries]);
    const put = (g: number, field: string, value: string): void => {
      let list = groups.get(g);
      if (list === undefined) groups.set(g, (list = []));
      list.push([field, value]);
    };
    const size = deferred.size;
    let at = 0;
    p.outstanding++;
    const slice = (): void => {
      if (p.done) return;
      try {
        const end = Math.min(size, at + SERIALIZE_SLICE);
        deferred.serialize(at, end, put);
        at = end;
        if (at < size) {
          this.scheduler.schedule(slice);
          return;
        }
        p.outstanding--;
        write([...groups].map(([keyGroup, entries]) => ({ uid, keyGroup, entries })));
      } catch (err) {
        refused(err);
        return;
      }
      this.maybeComplete(p);
    };
    // A small snapshot is serialized right after the barrier's turn (a microtask: no scheduler needed), a
    // larger one a slice per scheduler action.
    if (size <= SERIALIZE_SLICE) void Promise.resolve().then(slice);
    else this.scheduler.schedule(slice);
  }

  private maybeComplete(p: Pending): void {
    if (p.done || p.awaiting.size > 0 || p.outstanding > 0) return;
    p.written = true;
    void this.complete(p);
  }

  /** The handles each uid restores from after `p`: its own parts, plus the earlier chain where it is incremental. */
  private chainFor(p: Pending): Map<string, Map<number, StateHandle[]>> {
    const next = new Map<string, Map<number, StateHandle[]>>();
    for (const [uid, written] of p.handles) {
      const groups = new Map<number, StateHandle[]>();
      const previous = p.incrementalUids.has(uid) && p.kind === 'checkpoint' ? this.lastHandles.get(uid) : undefined;
      if (previous !== undefined) for (const [g, hs] of previous) if (g !== OPERATOR_STATE) groups.set(g, [...hs]);
      for (const h of written) {
        if (h.keyGroup === OPERATOR_STATE || previous === undefined) groups.set(h.keyGroup, [h]);
        else groups.set(h.keyGroup, [...(groups.get(h.keyGroup) ?? []), h]);
      }
      next.set(uid, groups);
    }
    return next;
  }

  private async complete(p: Pending): Promise<void> {
    if (p.done || p.completing || !p.written) return;
    // Checkpoints complete in order: an increment must not be visible before the one it builds on.
    for (const other of this.pending.values()) if (other.id < p.id && other.kind === 'checkpoint' && p.kind === 'checkpoint') return;
    p.completing = true;
    const chains = this.chainFor(p);
    const operators: OperatorStateHandles[] = [...chains].map(([uid, groups]) => ({ uid, ...p.described.get(uid), handles: [...groups.values()].flat() }));
    const metadata: CheckpointMetadata = {
      format: CHECKPOINT_FORMAT,
      jobName: this.jobName,
      checkpointId: p.id,
      kind: p.kind,
      ...(p.name === undefined ? {} : { name: p.name }),
      timestamp: p.triggeredAt,
      maxParallelism: this.maxParallelism,
      serializer: defaultStateSerializer.id,
      operators,
      properties: { full: p.full },
    };
    try {
      await this.storage.completeCheckpoint(metadata, this.retained);
    } catch (err) {
      p.completing = false;
      this.fail(p, new CheckpointError(this.origin, `checkpoint ${p.id}: writing its metadata to ${this.storage.description} failed: ${(err as Error).message}`, { cause: err }));
      return;
    }
    if (p.done) return;
    p.done = true;
    p.timeout?.unsubscribe();
    this.pending.delete(p.id);
    if (p.kind === 'checkpoint') {
      this.lastHandles = chains;
      this.failuresInARow = 0;
    }
    this.lastEnd = this.scheduler.now();
    const stats = this.statsOf(p, 'completed');
    this.metrics.counter('numberOfCompletedCheckpoints').inc();
    this.lastCompleted = stats;
    for (const l of this.participants.values()) l?.notifyCheckpointComplete?.(p.id);
    this.statsSubject.next(stats);
    p.settle.resolve(stats);
    this.completeWaiting();
  }

  /** Completes checkpoints that waited for an earlier one to end. */
  private completeWaiting(): void {
    for (const other of [...this.pending.values()]) void this.complete(other);
  }

  private fail(p: Pending, reason: Error, count = true): void {
    if (p.done) return;
    p.done = true;
    p.timeout?.unsubscribe();
    this.pending.delete(p.id);
    this.lastEnd = this.scheduler.now();
    // The next checkpoint is full: what changed before this one's barrier was never written.
    this.sinceFull = Infinity;
    this.storage.abortCheckpoint(this.jobName, p.id).catch(() => {});
    const stats = this.statsOf(p, 'failed', reason.message);
    this.metrics.counter('numberOfFailedCheckpoints').inc();
    for (const l of this.participants.values()) l?.notifyCheckpointAborted?.(p.id, reason);
    this.statsSubject.next(stats);
    p.settle.reject(reason);
    // Later increments build on this one: they fail too.
    for (const other of [...this.pending.values()]) {
      if (other.id > p.id && other.kind === 'checkpoint' && !other.full) this.fail(other, new CheckpointError(this.origin, `checkpoint ${other.id} builds on checkpoint ${p.id}, which failed`), false);
    }
    this.completeWaiting();
    if (!count || p.kind === 'savepoint') return;
    this.failuresInARow++;
    if (this.failuresInARow > this.tolerableFailures) {
      this.stopped = true;
      this.stop();
      this.onFatal(
        new CheckpointError(
          this.origin,
          `${this.failuresInARow} checkpoint(s) failed in a row, more than checkpoints.tolerableFailures (${this.tolerableFailures}); the last: ${reason.message}`,
          { cause: reason },
        ),
      );
    }
  }

  private statsOf(p: Pending, status: 'completed' | 'failed', failure?: string): CheckpointStats {
    return {
      checkpointId: p.id,
      kind: p.kind,
      ...(p.name === undefined ? {} : { name: p.name }),
      status,
      triggeredAt: p.triggeredAt,
      duration: this.scheduler.now() - p.triggeredAt,
      bytes: p.bytes,
      entries: p.entries,
      full: p.full,
      longestSyncPause: p.syncPause,
      ...(failure === undefined ? {} : { failure }),
    };
  }

  /** The uids of every operator, sink and source that registered since the coordinator was made. */
  registeredUids(): string[] {
    return [...this.everRegistered];
  }

  /**
   * Prepares the coordinator and reads the latest complete checkpoint (or the savepoint `savepoint`):
   * returns each participant's restored state by uid, or `undefined` when there is none. It deletes the
   * leftovers of a crash, continues checkpoint ids after every id in storage, and continues incremental
   * checkpoints from the restored chain. Runs once, before the first trigger.
   *
   * A savepoint is looked up among the savepoints of `job` (default: this job); one whose metadata names
   * another job than that is refused. With `keyGroups`, only the key groups it accepts are read (a subtask
   * restores its own range).
   * @throws {@link CheckpointError} when the savepoint does not exist, is another job's, or cannot be used
   * (another maxParallelism, an unknown serializer, a corrupt record).
   */
  async restore(options: { savepoint?: string; job?: string; keyGroups?: (keyGroup: number) => boolean } = {}): Promise<Map<string, unknown> | undefined> {
    await this.storage.cleanup(this.jobName);
    // The storage's counter gives a fresh id, ours to start from; a complete checkpoint or savepoint of a
    // run that crashed may have a larger one (this coordinator counts locally between restores).
    const used = [(await this.storage.nextCheckpointId(this.jobName)) - 1, ...(await this.storage.listCheckpoints(this.jobName))];
    for (const name of await this.storage.listSavepoints(this.jobName)) used.push((await this.storage.savepoint(this.jobName, name))?.checkpointId ?? 0);
    this.lastId = Math.max(...used);
    const owner = options.job ?? this.jobName;
    const meta = options.savepoint === undefined ? await this.storage.latestCheckpoint(this.jobName) : await this.storage.savepoint(owner, options.savepoint);
    if (meta === undefined) {
      if (options.savepoint !== undefined) {
        const names = await this.storage.listSavepoints(owner);
        throw new CheckpointError(
          this.origin,
          `there is no savepoint "${options.savepoint}" of job "${owner}" in ${this.storage.description} (${names.length === 0 ? 'it has none' : `it has ${names.map((n) => `"${n}"`).join(', ')}`}); a savepoint of another job is restored only when named: restoreFrom: { savepoint, job: 'that-job' }`,
        );
      }
      return undefined;
    }
    const expected = options.savepoint === undefined ? this.jobName : owner;
    if (meta.jobName !== expected) {
      const what = meta.kind === 'savepoint' ? `savepoint "${meta.name ?? ''}"` : `checkpoint ${meta.checkpointId}`;
      const fix =
        meta.kind === 'savepoint'
          ? `to restore job "${meta.jobName}"'s savepoint, name it: restoreFrom: { savepoint: '${meta.name ?? ''}', job: '${meta.jobName}' }`
          : `delete it (storage.discardJob('${this.jobName}')) or start the job with restoreFrom: 'none'`;
      throw new CheckpointError(this.origin, `the ${what} found for job "${expected}" was written by job "${meta.jobName}": it was copied or is corrupt; ${fix}`);
    }
    if (meta.maxParallelism !== this.maxParallelism) {
      throw new CheckpointError(
        this.origin,
        `the ${meta.kind} ${meta.checkpointId} was taken with maxParallelism ${meta.maxParallelism}, the job has ${this.maxParallelism}: keyed state is split into that many key groups, which cannot change (set maxParallelism back to ${meta.maxParallelism})`,
      );
    }
    if (meta.serializer !== defaultStateSerializer.id) {
      throw new CheckpointError(this.origin, `the ${meta.kind} ${meta.checkpointId} was written with serializer "${meta.serializer}", which this version cannot read (it reads "${defaultStateSerializer.id}")`);
    }
    const owned = options.keyGroups ?? (() => true);
    const restored = new Map<string, unknown>();
    const chains = new Map<string, Map<number, StateHandle[]>>();
    for (const op of meta.operators) {
      const keyed = new Map<number, Map<string, string>>();
      const operator = new Map<string, string>();
      const groups = new Map<number, StateHandle[]>();
      for (const h of op.handles) {
        if (h.keyGroup !== OPERATOR_STATE && !owned(h.keyGroup)) continue;
        groups.set(h.keyGroup, [...(groups.get(h.keyGroup) ?? []), h]);
        const entries = await this.storage.readState(meta.jobName, h);
        let target = operator;
        if (h.keyGroup !== OPERATOR_STATE) {
          target = keyed.get(h.keyGroup) ?? new Map<string, string>();
          keyed.set(h.keyGroup, target);
        }
        for (const [f, v] of entries) {
          if (v === TOMBSTONE) target.delete(f);
          else target.set(f, v);
        }
      }
      chains.set(op.uid, groups);
      const whole = operator.get(WHOLE);
      if (whole !== undefined && keyed.size === 0 && operator.size === 1) restored.set(op.uid, defaultStateSerializer.deserialize(whole));
      else restored.set(op.uid, { parts: true, checkpointId: meta.checkpointId, ...(op.kind === undefined ? {} : { kind: op.kind }), keyed, operator } satisfies RestoredParts);
    }
    if (meta.kind === 'checkpoint' && meta.jobName === this.jobName) {
      this.lastHandles = chains;
      this.sinceFull = 1;
    }
    return restored;
  }
}
