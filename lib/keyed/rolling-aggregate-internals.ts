/**
 * Machinery shared by the rolling aggregations (`sum`, `min`, `max`, `minBy`, `maxBy`, `reduce`): one
 * `Map` from key to a small mutable state per key (the aggregate and one record, nothing around them),
 * one output record per input record (streaming) or one final value per key at the end of input (batch),
 * and an optional state TTL on processing time.
 * @module
 */
import { asyncScheduler, type OperatorFunction } from 'rxjs';
import type { DeferredKeyedState, OperatorSnapshot, RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, type ErrorOrigin, InvalidArgumentError, NotKeyedError } from '../core/errors';
import { operateElements } from '../core/operate-elements';
import type { OperatorOptions } from '../core/runtime-context';
import { effectiveMode, type JobContext } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { defaultStateSerializer } from '../state/serializer';
import { StateTtlConfig } from '../state/ttl';
import { keyGroupOf, mapKey, subtaskForKeyGroup } from './key-group';

/** Names a field: a property name, a tuple (array) index, or nothing for a stream of plain numbers. */
export type FieldRef<T> = T extends readonly unknown[] ? number : T extends object ? keyof T & (string | number) : undefined;

/** Options of the rolling aggregations (`sum`, `min`, `max`, `minBy`, `maxBy`, `reduce`). */
export interface RollingAggregateOptions extends OperatorOptions {
  /**
   * Forget a key's aggregate once no record of that key came for the TTL's time, in processing time
   * (the operator's scheduler). The next record of a forgotten key starts over as its first record.
   * `stateVisibility: 'ReturnExpiredIfNotCleanedUp'` continues from an expired aggregate that was not
   * removed yet. Expired keys are removed incrementally: on every record, `cleanupIncrementally(n)`
   * entries are checked (5 when the config names no size). Ignored in batch mode. Without a TTL a
   * rolling aggregation keeps every key's aggregate until it is unsubscribed, as in Flink.
   */
  ttl?: StateTtlConfig;
}

/**
 * One key's rolling state: the aggregate, and the record the output is built from (the key's first
 * record, or the record holding the extreme for `minBy`/`maxBy`). No wrapper around it.
 */
export class RollingState<T, A> {
  constructor(
    public first: T,
    public acc: A,
    /** True once the key is in the changed list (or while change tracking is off). */
    public changed: boolean,
  ) {}
}

/** The rolling state of a key with a time: when it was last written (TTL), or the last record's timestamp (batch). */
export class TimedRollingState<T, A> extends RollingState<T, A> {
  constructor(
    first: T,
    acc: A,
    changed: boolean,
    public time: Timestamp | undefined,
  ) {
    super(first, acc, changed);
  }
}

/** How one rolling aggregation starts, updates and renders its per-key state. */
export interface RollingSpec<T, A> {
  /** The aggregate of a key's first record. */
  init(value: T): A;
  /** Folds `value` into `s` (its `acc`, and its `first` for `minBy`/`maxBy`). */
  update(s: RollingState<T, A>, value: T): void;
  /** The output for `s`. */
  result(s: RollingState<T, A>): T;
}

/** Entries checked per record for expiry when the TTL config names no incremental cleanup size. */
const DEFAULT_CLEANUP_SIZE = 5;

/**
 * The per-key states of one rolling aggregation: a `Map` from the key (its map form) to its state, the
 * original keys of array keys, optional TTL, and the keys changed since the last `takeChanged()`
 * (tracking costs a flag test per record). @internal
 */
export class RollingStates<T, A> {
  readonly states = new Map<unknown, RollingState<T, A>>();
  /** Array keys by their map form (primitive keys are their own map form). */
  readonly arrayKeys = new Map<string, Key>();
  private changed: unknown[] = [];
  private tracking = false;
  private cursor: Iterator<[unknown, RollingState<T, A>]> | undefined = undefined;
  private readonly cleanupSize: number;

  constructor(
    readonly ttl: StateTtlConfig | undefined,
    readonly now: () => Timestamp,
  ) {
    this.cleanupSize = ttl === undefined ? 0 : ttl.incrementalCleanupSize > 0 ? ttl.incrementalCleanupSize : DEFAULT_CLEANUP_SIZE;
  }

  /** The original key of a map key. */
  keyOf(mk: unknown): Key {
    return typeof mk === 'string' ? (this.arrayKeys.get(mk) ?? mk) : (mk as Key);
  }

  /** Records a change of `mk`'s state `s` (a flag test once it was recorded). */
  touch(mk: unknown, s: RollingState<T, A>): void {
    if (!s.changed) {
      s.changed = true;
      this.changed.push(mk);
    }
  }

  /** Adds a key's first state. */
  add(mk: unknown, key: Key, s: RollingState<T, A>): void {
    this.states.set(mk, s);
    if (typeof key === 'object') this.arrayKeys.set(mk as string, key);
    if (this.tracking) this.changed.push(mk);
  }

  /** Removes a key's state. */
  remove(mk: unknown, s: RollingState<T, A>): void {
    this.states.delete(mk);
    if (typeof mk === 'string' && this.arrayKeys.size > 0) this.arrayKeys.delete(mk);
    this.touch(mk, s);
  }

  /** Whether `s` expired (its time is the processing time of its last write). */
  expired(s: RollingState<T, A>, now: Timestamp): boolean {
    return now - (s as TimedRollingState<T, A>).time! >= this.ttl!.ttl;
  }

  /** Checks the next few entries for expiry and removes the expired ones. */
  cleanup(now: Timestamp): void {
    let cursor = this.cursor ?? this.states.entries();
    for (let i = 0; i < this.cleanupSize; i++) {
      let r = cursor.next();
      if (r.done === true) {
        cursor = this.states.entries();
        r = cursor.next();
        if (r.done === true) break;
      }
      const [mk, s] = r.value;
      if (this.expired(s, now)) this.remove(mk, s);
    }
    this.cursor = cursor;
  }

  /** Starts recording changed keys: what exists now counts as unchanged. */
  startChangeTracking(): void {
    this.tracking = true;
    for (const s of this.states.values()) s.changed = false;
    this.changed = [];
  }

  /**
   * This state as keyed checkpoint parts: per key group, field = the serialized key, value = the serialized
   * `[first, acc]` (`[first, acc, time]` with a time). Whole when `full`, else only the keys changed since
   * the previous call ({@link TOMBSTONE} for removed ones). Either way the next round of tracking starts.
   */
  snapshotParts(full: boolean, maxParallelism: number): Map<number, Array<[string, string]>> {
    const groups = new Map<number, Array<[string, string]>>();
    const deferred = this.snapshotDeferred(full, maxParallelism);
    deferred.serialize(0, deferred.size, (g, field, value) => {
      let list = groups.get(g);
      if (list === undefined) groups.set(g, (list = []));
      list.push([field, value]);
    });
    return groups;
  }

  /**
   * The same parts as {@link snapshotParts}, copied now and serialized later by the coordinator: the
   * synchronous part copies each (changed) key's record, aggregate and time; an aggregate that is an
   * object (a `reduce` may change it in place) is serialized at once.
   */
  snapshotDeferred(full: boolean, maxParallelism: number): DeferredKeyedState {
    const keys: Key[] = [];
    /** Per entry: undefined (a tombstone), a serialized state, or [first, acc, time?] copied. */
    const values: Array<string | readonly unknown[] | undefined> = [];
    const copy = (key: Key, s: RollingState<T, A> | undefined): void => {
      keys.push(key);
      if (s === undefined) values.push(undefined);
      else if (typeof s.acc === 'object' && s.acc !== null) values.push(serializeState(s));
      else values.push(s instanceof TimedRollingState ? [s.first, s.acc, s.time] : [s.first, s.acc]);
    };
    if (full) {
      for (const [mk, s] of this.states) copy(this.keyOf(mk), s);
      this.startChangeTracking();
    } else {
      for (const [key, s] of this.takeChanged()) copy(key, s);
    }
    return {
      size: keys.length,
      serialize(from, to, put) {
        for (let i = from; i < to; i++) {
          const key = keys[i]!;
          const v = values[i];
          put(keyGroupOf(key, maxParallelism), defaultStateSerializer.serialize(key), v === undefined ? TOMBSTONE : typeof v === 'string' ? v : defaultStateSerializer.serialize(v));
        }
      },
    };
  }

  /** Adds the restored keys of the key groups `owned` accepts (before change tracking starts). */
  restoreParts(parts: RestoredParts, owned: (keyGroup: number) => boolean, timed: boolean): void {
    for (const [g, entries] of parts.keyed) {
      if (!owned(g)) continue;
      for (const [field, value] of entries) {
        const key = defaultStateSerializer.deserialize(field) as Key;
        const [first, acc, time] = defaultStateSerializer.deserialize(value) as [T, A, Timestamp | undefined];
        const s = timed ? new TimedRollingState<T, A>(first, acc, !this.tracking, time) : new RollingState<T, A>(first, acc, !this.tracking);
        this.add(typeof key === 'object' ? mapKey(key) : key, key, s);
      }
    }
  }

  /** The keys changed since the last call (or `startChangeTracking`), each once, with their state (undefined: removed). */
  takeChanged(): Array<[Key, RollingState<T, A> | undefined]> {
    const out: Array<[Key, RollingState<T, A> | undefined]> = [];
    const seen = new Set<unknown>();
    const changed = this.changed;
    this.changed = [];
    for (const mk of changed) {
      if (seen.has(mk)) continue;
      seen.add(mk);
      const s = this.states.get(mk);
      if (s !== undefined) s.changed = false;
      out.push([this.keyOf(mk), s]);
    }
    return out;
  }
}

function serializeState(s: RollingState<unknown, unknown>): string {
  return defaultStateSerializer.serialize(s instanceof TimedRollingState ? [s.first, s.acc, s.time] : [s.first, s.acc]);
}

/**
 * The checkpoint side of a rolling aggregation: registers its uid with the job's coordinator, restores this
 * subtask's key groups, and acknowledges each barrier with its keyed state (only the changed keys when the
 * barrier is not full). @internal
 */
class RollingCheckpoints {
  private unregister: (() => void) | undefined;
  private uid: string | undefined;
  private maxParallelism = 128;

  constructor(private readonly origin: ErrorOrigin) {}

  /** Registers and restores (when the job checkpoints or has restored state), then starts change tracking. */
  open(job: JobContext | undefined, states: RollingStates<unknown, unknown>, timed: boolean): void {
    const coordinator = job?.checkpoints;
    const uid = this.origin.uid;
    if (coordinator !== undefined) {
      if (uid === undefined) {
        throw new CheckpointError(this.origin, `job "${job!.jobName}" checkpoints, so this stateful operator needs a uid to store its state under: add { uid: '...' } to its options`);
      }
      this.unregister = coordinator.register(uid);
      this.uid = uid;
    }
    this.maxParallelism = job?.maxParallelism ?? 128;
    const found = uid === undefined ? undefined : job?.restoredState?.get(uid);
    if (found !== undefined) {
      if (typeof found !== 'object' || found === null || (found as RestoredParts).parts !== true) {
        throw new CheckpointError(this.origin, `the state restored under uid "${uid}" was not written by a rolling aggregation; give this operator another uid`);
      }
      const parallelism = job?.parallelism ?? 1;
      const index = job?.subtaskIndex ?? 0;
      const maxParallelism = this.maxParallelism;
      states.restoreParts(found as RestoredParts, (g) => subtaskForKeyGroup(g, maxParallelism, parallelism) === index, timed);
    }
    if (this.uid !== undefined) states.startChangeTracking();
  }

  /** Acknowledges `barrier` with this operator's state (when registered and the barrier asks). */
  acknowledge(barrier: CheckpointBarrier, states: RollingStates<unknown, unknown>): void {
    if (this.uid === undefined || barrier.acknowledger === undefined) return;
    // the pause is measured on the operator's scheduler, as all its time (virtual under a TestScheduler)
    const start = states.now();
    const full = barrier.full;
    // the copy of what changed is synchronous; the coordinator serializes and writes it between records
    const deferred = states.snapshotDeferred(full, this.maxParallelism);
    const snapshot: OperatorSnapshot = { parts: true, deferred, incremental: !full, syncMillis: states.now() - start };
    barrier.acknowledger.acknowledge(this.uid, snapshot);
  }

  close(): void {
    this.unregister?.();
    this.unregister = undefined;
  }
}

/** Builds a keyed rolling aggregation operator from a {@link RollingSpec}. */
export function rollingAggregate<T, A, K = Key>(
  name: string,
  options: RollingAggregateOptions | undefined,
  spec: (origin: ErrorOrigin) => RollingSpec<T, A>,
): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  const ttl = options?.ttl;
  if (ttl !== undefined && !(ttl instanceof StateTtlConfig)) {
    throw new InvalidArgumentError({ operator: options?.name ?? name, uid: options?.uid }, 'ttl', ttl, 'must be a StateTtlConfig (StateTtlConfig.newBuilder(ms).build())');
  }
  return operateElements<T, StreamElement<T, K>>({ name: options?.name ?? name, options }, (destination, origin) => {
    const { init, update, result } = spec(origin);
    let batch = false;
    let timed = false;
    let keyed!: RollingStates<T, A>;
    const checkpoints = new RollingCheckpoints(origin);
    return {
      open(job) {
        batch = effectiveMode(job) === 'batch';
        const scheduler = options?.scheduler ?? job?.scheduler ?? asyncScheduler;
        keyed = new RollingStates<T, A>(batch ? undefined : ttl, () => scheduler.now());
        timed = batch || keyed.ttl !== undefined;
        checkpoints.open(job, keyed as RollingStates<unknown, unknown>, timed);
      },
      barrier(barrier) {
        checkpoints.acknowledge(barrier, keyed as RollingStates<unknown, unknown>);
        destination.next(barrier);
      },
      finalize() {
        checkpoints.close();
      },
      record(value, timestamp, key) {
        if (key === undefined) throw new NotKeyedError(origin);
        const mk = typeof key === 'object' ? mapKey(key) : key;
        const states = keyed.states;
        let s = states.get(mk);
        if (!timed) {
          // the hot path: no TTL, streaming
          if (s === undefined) keyed.add(mk, key, (s = new RollingState<T, A>(value, init(value), true)));
          else {
            update(s, value);
            if (!s.changed) keyed.touch(mk, s);
          }
          destination.next(new StreamRecord(result(s), timestamp, key as K));
          return;
        }
        const time = batch ? timestamp : keyed.now();
        if (s !== undefined && !batch && keyed.expired(s, time!)) {
          if (keyed.ttl!.stateVisibility === 'NeverReturnExpired') {
            keyed.remove(mk, s);
            s = undefined;
          }
        }
        if (s === undefined) keyed.add(mk, key, (s = new TimedRollingState<T, A>(value, init(value), true, time)));
        else {
          update(s, value);
          (s as TimedRollingState<T, A>).time = time;
          keyed.touch(mk, s);
        }
        if (batch) return;
        keyed.cleanup(time!);
        destination.next(new StreamRecord(result(s), timestamp, key as K));
      },
      watermark(mark) {
        if (!batch) destination.next(mark);
      },
      complete() {
        if (batch) {
          for (const [mk, s] of keyed.states) destination.next(new StreamRecord(result(s), (s as TimedRollingState<T, A>).time, keyed.keyOf(mk) as K));
          destination.next(Watermark.MAX);
        }
      },
    };
  });
}

/** Reads `field` of `value` (the value itself when `field` is undefined). */
export function readField(value: unknown, field: string | number | undefined): unknown {
  return field === undefined ? value : (value as Record<string | number, unknown>)[field];
}

/** A copy of `first` with `field` set to `fieldValue` (the value itself when `field` is undefined). */
export function withField<T>(first: T, field: string | number | undefined, fieldValue: unknown): T {
  if (field === undefined) return fieldValue as T;
  if (Array.isArray(first)) {
    const copy = first.slice();
    copy[field as number] = fieldValue;
    return copy as T;
  }
  return { ...(first as object), [field]: fieldValue } as T;
}

/** Reads a field that must be a number or bigint (for `sum`). */
export function numericField(origin: ErrorOrigin, value: unknown, field: string | number | undefined): number | bigint {
  const v = readField(value, field);
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new InvalidArgumentError(origin, field === undefined ? 'the value' : `field ${JSON.stringify(field)}`, v, 'must be a number or bigint to be summed');
}

/** Reads a field that must be comparable: a number, bigint or string (for `min`, `max`, `minBy`, `maxBy`). */
export function comparableField(origin: ErrorOrigin, value: unknown, field: string | number | undefined): number | bigint | string {
  const v = readField(value, field);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  throw new InvalidArgumentError(origin, field === undefined ? 'the value' : `field ${JSON.stringify(field)}`, v, 'must be a number, bigint or string to be compared');
}
