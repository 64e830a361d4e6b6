/**
 * Operator state: state that belongs to one parallel instance of an operator rather than to a key —
 * list state (split evenly over the subtasks on restore), union list state (all of it to every subtask
 * on restore) and broadcast state (a map, the same on every subtask) — with Flink's
 * `CheckpointedFunction` hooks to fill it at a checkpoint and read it back at start.
 * @module
 */
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, type ErrorOrigin, InvalidArgumentError, StateError } from '../core/errors';
import type { JobContext } from '../core/start-element';
import { keyGroupOf, subtaskForKeyGroup } from '../keyed/key-group';
import type { InternalTimer, InternalTimerService, TimerSnapshot } from '../time/timer-service';
import type { ListState, ListStateDescriptor } from './descriptors/list-state-descriptor';
import type { MapStateDescriptor } from './descriptors/map-state-descriptor';
import type { HeapKeyedStateBackend, KeyedStateSnapshot } from './heap/heap-keyed-state-backend';
import type { KeyedStateStore } from './keyed-state-store';

/** How a piece of operator state is redistributed when a job is restored, possibly at another parallelism. */
export type OperatorStateMode = 'split' | 'union' | 'broadcast';

/**
 * Broadcast state read from the non-broadcast side: reads only.
 * @see Flink's `ReadOnlyBroadcastState`
 */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** A copy of the entries, in insertion order. */
  entries(): Array<[K, V]>;
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
}

/**
 * Broadcast state as the broadcast side sees it: a map it may change. Every parallel instance must change
 * it the same way (the function must be deterministic), so all instances hold the same map.
 * @see Flink's `BroadcastState`
 */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  clear(): void;
}

/**
 * Where a function obtains operator state (from `initializeState`'s context).
 *
 * @example
 * ```ts
 * initializeState(ctx) { this.buffer = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<Click>('buffer')) }
 * ```
 * @see Flink's `OperatorStateStore`
 */
export interface OperatorStateStore {
  /** List state whose items are split evenly over the subtasks on restore. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** List state of which every subtask receives every item (of every former subtask) on restore. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** A map that is the same on every subtask (see `broadcast`); restored as a copy on every subtask. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
  /** The names of the states registered or restored so far. */
  getRegisteredStateNames(): string[];
}

/** A snapshot of one subtask's operator state: per state name, its mode and items (`[key, value]` pairs for broadcast state). */
export interface OperatorStateSnapshot {
  states: Record<string, { mode: OperatorStateMode; items: unknown[] }>;
}

class OperatorStateTable {
  constructor(
    readonly name: string,
    readonly mode: OperatorStateMode,
    /** split/union: the items; broadcast: a Map. */
    public data: unknown[] | Map<unknown, unknown>,
  ) {}
}

/**
 * Operator state in memory, for one subtask of one operator.
 *
 * @example
 * ```ts
 * const backend = new HeapOperatorStateBackend({ operator: 'buffering-sink' });
 * const pending = backend.getListState(new ListStateDescriptor<string>('pending'));
 * pending.add('a');
 * const snap = backend.snapshot(); // { states: { pending: { mode: 'split', items: ['a'] } } }
 * ```
 * @see Flink's `DefaultOperatorStateBackend`
 */
export class HeapOperatorStateBackend implements OperatorStateStore {
  private readonly tables = new Map<string, OperatorStateTable>();

  constructor(private readonly origin: ErrorOrigin) {}

  private table(name: string, mode: OperatorStateMode): OperatorStateTable {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new OperatorStateTable(name, mode, mode === 'broadcast' ? new Map() : []);
      this.tables.set(name, t);
    } else if (t.mode !== mode) {
      throw new StateError(this.origin, `operator state "${name}" is already registered as ${describeMode(t.mode)}; it cannot be used as ${describeMode(mode)}`);
    }
    return t;
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return listView<T>(this.table(descriptor.name, 'split'));
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return listView<T>(this.table(descriptor.name, 'union'));
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    const m = this.table(descriptor.name, 'broadcast').data as Map<K, V>;
    return {
      get: (k) => m.get(k),
      contains: (k) => m.has(k),
      entries: () => [...m],
      keys: () => [...m.keys()],
      values: () => [...m.values()],
      isEmpty: () => m.size === 0,
      put: (k, v) => void m.set(k, v),
      putAll: (entries) => {
        for (const [k, v] of entries) m.set(k, v);
      },
      remove: (k) => void m.delete(k),
      clear: () => m.clear(),
    };
  }

  /** A read-only view of a broadcast state: its mutators throw {@link StateError}. */
  getReadOnlyBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>, writer: string): ReadOnlyBroadcastState<K, V> {
    const state = this.getBroadcastState(descriptor);
    const refuse = (): never => {
      throw new StateError(
        this.origin,
        `broadcast state "${descriptor.name}" is read-only in ${writer}: only processBroadcastElement may change it, so that every parallel instance holds the same state`,
      );
    };
    // the mutators exist at run time (for callers that cast the type away) and refuse
    return { get: state.get, contains: state.contains, entries: state.entries, keys: state.keys, values: state.values, isEmpty: state.isEmpty, put: refuse, putAll: refuse, remove: refuse, clear: refuse } as ReadOnlyBroadcastState<K, V>;
  }

  getRegisteredStateNames(): string[] {
    return [...this.tables.keys()];
  }

  /** True when no state holds anything. */
  isEmpty(): boolean {
    for (const t of this.tables.values()) if ((Array.isArray(t.data) ? t.data.length : t.data.size) > 0) return false;
    return true;
  }

  /** A copy of every state (items are shared, not deep-copied: state values must not be mutated in place after a snapshot). */
  snapshot(): OperatorStateSnapshot {
    const states = noPrototype<OperatorStateSnapshot['states'][string]>();
    for (const [name, t] of this.tables) {
      states[name] = { mode: t.mode, items: Array.isArray(t.data) ? [...t.data] : [...t.data] };
    }
    return { states };
  }

  /** Replaces the state with a snapshot's (already redistributed for this subtask: see {@link redistributeOperatorState}). */
  restore(snapshot: OperatorStateSnapshot): void {
    for (const name of Object.keys(snapshot.states)) {
      const s = snapshot.states[name]!;
      const existing = this.tables.get(name);
      if (existing !== undefined && existing.mode !== s.mode) {
        throw new StateError(this.origin, `restored operator state "${name}" is ${describeMode(s.mode)}, but it is registered as ${describeMode(existing.mode)}`);
      }
      const data = s.mode === 'broadcast' ? new Map(s.items as Array<[unknown, unknown]>) : [...s.items];
      if (existing === undefined) this.tables.set(name, new OperatorStateTable(name, s.mode, data));
      else existing.data = data;
    }
  }
}

/** A record without a prototype, so that any state name (`__proto__`, `constructor`) is data. @internal */
export function noPrototype<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** A snapshot's state of that name, own properties only (a snapshot may be a plain object, e.g. parsed JSON). */
function ownState(s: OperatorStateSnapshot, name: string): OperatorStateSnapshot['states'][string] | undefined {
  return Object.prototype.hasOwnProperty.call(s.states, name) ? s.states[name] : undefined;
}

function describeMode(mode: OperatorStateMode): string {
  return mode === 'split' ? 'list state' : mode === 'union' ? 'union list state' : 'broadcast state';
}

function listView<T>(t: OperatorStateTable): ListState<T> {
  return {
    get: () => [...(t.data as T[])],
    add: (v) => void (t.data as T[]).push(v),
    addAll: (vs) => {
      for (const v of vs) (t.data as T[]).push(v);
    },
    update: (vs) => {
      t.data = [...vs];
    },
    clear: () => {
      t.data = [];
    },
  };
}

/**
 * Redistributes the operator state of `snapshots` (one per former subtask, in subtask order) over
 * `parallelism` new subtasks: split list state is concatenated and cut into contiguous ranges whose
 * sizes differ by at most one; every subtask receives all of a union list state; new subtask `i`
 * receives a copy of the broadcast state of former subtask `i % snapshots.length`.
 *
 * @example
 * ```ts
 * redistributeOperatorState([{ states: { s: { mode: 'split', items: [1, 2, 3] } } }], 2)
 * // [{ states: { s: { mode: 'split', items: [1, 2] } } }, { states: { s: { mode: 'split', items: [3] } } }]
 * ```
 * @throws InvalidArgumentError when `parallelism` is not a positive integer; StateError when former
 * subtasks disagree on a state's mode.
 * @see Flink's `RoundRobinOperatorStateRepartitioner`
 */
export function redistributeOperatorState(snapshots: readonly OperatorStateSnapshot[], parallelism: number): OperatorStateSnapshot[] {
  const origin = { operator: 'redistributeOperatorState' };
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new InvalidArgumentError(origin, 'parallelism', parallelism, 'must be a positive integer');
  const result: OperatorStateSnapshot[] = Array.from({ length: parallelism }, () => ({ states: noPrototype<OperatorStateSnapshot['states'][string]>() }));
  const modes = new Map<string, OperatorStateMode>();
  for (const s of snapshots) {
    for (const name of Object.keys(s.states)) {
      const st = s.states[name]!;
      const m = modes.get(name);
      if (m !== undefined && m !== st.mode) throw new StateError(origin, `operator state "${name}" is ${describeMode(m)} in one subtask and ${describeMode(st.mode)} in another`);
      modes.set(name, st.mode);
    }
  }
  for (const [name, mode] of modes) {
    if (mode === 'broadcast') {
      for (let i = 0; i < parallelism; i++) {
        const from = ownState(snapshots[i % snapshots.length]!, name) ?? ownState(snapshots.find((s) => ownState(s, name) !== undefined)!, name)!;
        result[i]!.states[name] = { mode, items: [...from.items] };
      }
      continue;
    }
    const all: unknown[] = [];
    for (const s of snapshots) {
      const st = ownState(s, name);
      if (st !== undefined) for (const item of st.items) all.push(item);
    }
    if (mode === 'union') {
      for (const r of result) r.states[name] = { mode, items: [...all] };
      continue;
    }
    const base = Math.floor(all.length / parallelism);
    const extra = all.length % parallelism;
    let from = 0;
    for (let i = 0; i < parallelism; i++) {
      const size = base + (i < extra ? 1 : 0);
      result[i]!.states[name] = { mode, items: all.slice(from, from + size) };
      from += size;
    }
  }
  return result;
}

/** What `initializeState` receives. @see Flink's `FunctionInitializationContext` */
export interface FunctionInitializationContext {
  /** True when the operator was restored from a checkpoint or savepoint. */
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStore;
  /** The keyed state store, `undefined` where the operator keeps no keyed state. */
  getKeyedStateStore(): KeyedStateStore | undefined;
}

/** What `snapshotState` receives. @see Flink's `FunctionSnapshotContext` */
export interface FunctionSnapshotContext {
  getCheckpointId(): number;
  getCheckpointTimestamp(): number;
}

/**
 * A function that keeps operator state: `initializeState` runs once before the first element (after a
 * restore, with the restored state in the store), `snapshotState` at every checkpoint barrier, before
 * the operator's state is copied.
 *
 * @example
 * ```ts
 * const fn = {
 *   seen: [] as string[], state: undefined as ListState<string> | undefined,
 *   initializeState(ctx: FunctionInitializationContext) {
 *     this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<string>('seen'));
 *     this.seen = this.state.get();
 *   },
 *   snapshotState() { this.state!.update(this.seen) },
 *   map1: (s: string) => s, map2: (n: number) => String(n),
 * };
 * ```
 * @see Flink's `CheckpointedFunction`
 */
export interface CheckpointedFunction {
  initializeState(context: FunctionInitializationContext): void;
  snapshotState(context: FunctionSnapshotContext): void;
}

/** True when `fn` has both `CheckpointedFunction` hooks. */
export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return (
    typeof fn === 'object' &&
    fn !== null &&
    typeof (fn as CheckpointedFunction).initializeState === 'function' &&
    typeof (fn as CheckpointedFunction).snapshotState === 'function'
  );
}

/**
 * The state handle an operator with operator state (and possibly keyed state) acknowledges a barrier
 * with, and the shape `JobContext.restoredState` holds per uid: one handle, or one per former subtask.
 */
export interface OperatorSnapshotHandle {
  operatorState: OperatorStateSnapshot;
  keyedState?: KeyedStateSnapshot | undefined;
  /** Timers of a keyed operator (`InternalTimerService.snapshot()`). */
  timers?: unknown;
}

/**
 * Runs the operator-state side of an operator's lifecycle: restore and `initializeState` at open,
 * `snapshotState` and a snapshot at each barrier.
 * @internal
 */
export class OperatorStateLifecycle {
  readonly backend: HeapOperatorStateBackend;
  /** The handles restored for this operator (after redistribution): keyed state and timers to restore. */
  restored: OperatorSnapshotHandle[] = [];

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly fns: readonly unknown[],
  ) {
    this.backend = new HeapOperatorStateBackend(origin);
  }

  private unregister: (() => void) | undefined;

  /**
   * Registers the operator with the job's checkpoint coordinator (when the job checkpoints), restores this
   * subtask's share of the state under the operator's uid, then calls `initializeState`.
   * @throws {@link CheckpointError} when the job checkpoints and the operator has no uid.
   */
  open(job: JobContext | undefined, keyed: HeapKeyedStateBackend | undefined): void {
    const uid = this.origin.uid;
    const coordinator = job?.checkpoints;
    if (coordinator !== undefined) {
      if (uid === undefined) {
        throw new CheckpointError(this.origin, `job "${job!.jobName}" checkpoints, so this stateful operator needs a uid to store its state under: add { uid: '...' } to its options`);
      }
      this.unregister = coordinator.register(uid);
    }
    const found = uid === undefined ? undefined : job?.restoredState?.get(uid);
    const restored = found !== undefined;
    if (found !== undefined) {
      const handles = (Array.isArray(found) ? found : [found]) as OperatorSnapshotHandle[];
      const parallelism = job?.parallelism ?? 1;
      const index = job?.subtaskIndex ?? 0;
      const share = redistributeOperatorState(
        handles.map((h) => h.operatorState ?? { states: {} }),
        parallelism,
      )[index]!;
      this.backend.restore(share);
      this.restored = handles;
      if (keyed !== undefined) {
        const maxParallelism = job?.maxParallelism ?? 128;
        for (const h of handles) {
          if (h.keyedState !== undefined) keyed.restore(h.keyedState, (g) => subtaskForKeyGroup(g, maxParallelism, parallelism) === index);
        }
      }
    }
    const ctx: FunctionInitializationContext = {
      isRestored: () => restored,
      getOperatorStateStore: () => this.backend,
      getKeyedStateStore: () => keyed,
    };
    for (const fn of this.fns) if (isCheckpointedFunction(fn)) fn.initializeState(ctx);
  }

  /** Calls `snapshotState`, then returns this subtask's handle. */
  snapshot(barrier: CheckpointBarrier, keyed: HeapKeyedStateBackend | undefined, timers?: unknown): OperatorSnapshotHandle {
    const ctx: FunctionSnapshotContext = { getCheckpointId: () => barrier.checkpointId, getCheckpointTimestamp: () => barrier.timestamp };
    for (const fn of this.fns) if (isCheckpointedFunction(fn)) fn.snapshotState(ctx);
    const handle: OperatorSnapshotHandle = { operatorState: this.backend.snapshot() };
    if (keyed !== undefined) handle.keyedState = keyed.snapshot();
    if (timers !== undefined) handle.timers = timers;
    return handle;
  }

  /** Leaves the checkpoint coordinator (at completion, error or unsubscribe). */
  close(): void {
    this.unregister?.();
    this.unregister = undefined;
  }

  /** Snapshots and acknowledges `barrier` with the handle (when the operator has a uid and the barrier an acknowledger). */
  acknowledge(barrier: CheckpointBarrier, keyed: HeapKeyedStateBackend | undefined, timers?: () => unknown): void {
    const handle = this.snapshot(barrier, keyed, timers?.());
    if (this.origin.uid !== undefined) barrier.acknowledger?.acknowledge(this.origin.uid, handle);
  }
}

/** Restores the timers of restored snapshot handles that belong to this subtask's key groups. */
export function restoreTimers(
  timers: InternalTimerService<undefined>,
  handles: readonly { timers?: unknown }[],
  maxParallelism: number,
  parallelism: number,
  index: number,
): void {
  const mine = (t: InternalTimer<undefined>): boolean =>
    t.key !== undefined && subtaskForKeyGroup(keyGroupOf(t.key, maxParallelism), maxParallelism, parallelism) === index;
  for (const h of handles) {
    const snap = h.timers as TimerSnapshot<undefined> | undefined;
    if (snap === undefined) continue;
    timers.restore({ eventTime: snap.eventTime.filter(mine), processingTime: snap.processingTime.filter(mine) });
  }
}
