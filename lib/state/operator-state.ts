/**
 * Operator state: state that belongs to one parallel instance of an operator rather than to a key —
 * list state (split evenly over the subtasks on restore), union list state (all of it to every subtask
 * on restore) and broadcast state (a map, the same on every subtask) — with Flink's
 * `CheckpointedFunction` hooks to fill it at a checkpoint and read it back at start.
 * @module
 */
import type { OperatorSnapshot } from '../checkpoint/checkpoint-coordinator';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, type ErrorOrigin, InvalidArgumentError, StateError, describeValue } from '../core/errors';
import type { JobContext } from '../core/start-element';
import { subtaskForKeyGroup } from '../keyed/key-group';
import type { InternalTimerService } from '../time/timer-service';
import type { ListState, ListStateDescriptor } from './descriptors/list-state-descriptor';
import type { MapStateDescriptor } from './descriptors/map-state-descriptor';
import type { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend';
import type { KeyedStateStore } from './keyed-state-store';
import { ProcessStateParts } from './process-state-parts';
import { defaultStateSerializer } from './serializer';

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

/** The operator kinds that keep their state through {@link OperatorStateLifecycle}: one restores another's. */
const PROCESS_KINDS: ReadonlySet<string> = new Set(['process', 'keyedProcess', 'coProcess', 'coMap', 'coFlatMap', 'broadcastProcess', 'keyedBroadcastProcess']);

const MODES: ReadonlySet<string> = new Set<OperatorStateMode>(['split', 'union', 'broadcast']);

/** One former subtask's restored parts, in either form (merged on restore, or as acknowledged). */
interface RestoredForm {
  readonly kind?: string | undefined;
  readonly keyed?: Iterable<readonly [number, Iterable<readonly [string, string]>]>;
  readonly operator?: Iterable<readonly [string, string]>;
}

/**
 * Runs the checkpoint side of a process-function operator: registers its uid with the job's coordinator,
 * restores this subtask's share at open (keyed state and timers of its key groups, its share of the
 * operator state) and calls `initializeState`; at each barrier calls `snapshotState` and acknowledges an
 * {@link OperatorSnapshot}: keyed state and timers per key group (only what changed when the barrier is
 * not full), operator and broadcast state as the operator part.
 * @internal
 */
export class OperatorStateLifecycle {
  readonly backend: HeapOperatorStateBackend;
  private unregister: (() => void) | undefined;
  private parts: ProcessStateParts | undefined;
  private subtaskIndex = 0;
  private now: () => number = () => 0;

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly fns: readonly unknown[],
    /** The operator's kind, recorded in checkpoints (`keyedProcess`, `coMap`...). */
    private readonly kind: string,
  ) {
    this.backend = new HeapOperatorStateBackend(origin);
  }

  /**
   * Registers the operator with the job's checkpoint coordinator (when the job checkpoints), restores this
   * subtask's share of the state under the operator's uid, starts change tracking, then calls
   * `initializeState`.
   * @throws {@link CheckpointError} when the job checkpoints and the operator has no uid, or the state
   * restored under its uid is corrupt or another kind of operator's.
   */
  open(job: JobContext | undefined, keyed: HeapKeyedStateBackend | undefined, timers?: InternalTimerService<undefined>): void {
    const uid = this.origin.uid;
    const coordinator = job?.checkpoints;
    if (coordinator !== undefined) {
      if (uid === undefined) {
        throw new CheckpointError(this.origin, `job "${job!.jobName}" checkpoints, so this stateful operator needs a uid to store its state under: add { uid: '...' } to its options`);
      }
      this.unregister = coordinator.register(uid);
    }
    const maxParallelism = job?.maxParallelism ?? 128;
    const parallelism = job?.parallelism ?? 1;
    this.subtaskIndex = job?.subtaskIndex ?? 0;
    const scheduler = job?.scheduler;
    if (scheduler !== undefined) this.now = () => scheduler.now();
    const parts = new ProcessStateParts(this.origin, maxParallelism);
    this.parts = parts;
    const found = uid === undefined ? undefined : job?.restoredState?.get(uid);
    const restored = found !== undefined;
    if (found !== undefined) {
      const forms = this.restoredForms(found);
      const snapshots: OperatorStateSnapshot[] = [];
      for (const f of forms) snapshots.push(...this.operatorSnapshots(f));
      this.backend.restore(redistributeOperatorState(snapshots, parallelism)[this.subtaskIndex]!);
      const index = this.subtaskIndex;
      const owned = (g: number): boolean => subtaskForKeyGroup(g, maxParallelism, parallelism) === index;
      for (const f of forms) if (f.keyed !== undefined) parts.restore(f.keyed, owned, keyed, timers);
    }
    if (coordinator !== undefined) keyed?.startChangeTracking();
    const ctx: FunctionInitializationContext = {
      isRestored: () => restored,
      getOperatorStateStore: () => this.backend,
      getKeyedStateStore: () => keyed,
    };
    for (const fn of this.fns) if (isCheckpointedFunction(fn)) fn.initializeState(ctx);
  }

  /** The restored value under the uid as a list of former subtasks' parts; refuses another operator's. */
  private restoredForms(found: unknown): RestoredForm[] {
    const list = Array.isArray(found) ? (found as unknown[]) : [found];
    for (const f of list) {
      if (typeof f !== 'object' || f === null || (f as { parts?: unknown }).parts !== true) {
        throw new CheckpointError(this.origin, `the state restored under uid "${this.origin.uid}" was not written by a process operator; give this operator another uid`);
      }
      const kind = (f as RestoredForm).kind;
      if (kind !== undefined && !PROCESS_KINDS.has(kind)) {
        throw new CheckpointError(this.origin, `the state restored under uid "${this.origin.uid}" was written by a ${kind} operator, not a process operator; give this operator another uid`);
      }
    }
    return list as RestoredForm[];
  }

  /** The operator-state snapshots of one restored form, one per former subtask, in subtask order. */
  private operatorSnapshots(f: RestoredForm): OperatorStateSnapshot[] {
    const bySubtask = new Map<number, OperatorStateSnapshot>();
    if (f.operator === undefined) return [];
    for (const [field, value] of f.operator) {
      let name: unknown;
      let subtask: unknown;
      let state: unknown;
      try {
        [name, subtask] = defaultStateSerializer.deserialize(field) as [unknown, unknown];
        state = defaultStateSerializer.deserialize(value);
      } catch (err) {
        throw new CheckpointError(this.origin, `the operator state restored under uid "${this.origin.uid}" is corrupt: ${(err as Error).message}`);
      }
      const s = state as { mode?: unknown; items?: unknown } | null;
      if (typeof name !== 'string' || !Number.isSafeInteger(subtask) || s === null || typeof s !== 'object' || !MODES.has(s.mode as string) || !Array.isArray(s.items)) {
        throw new CheckpointError(this.origin, `the operator state restored under uid "${this.origin.uid}" is corrupt: entry ${describeValue(field)} is not a named list or broadcast state`);
      }
      let snap = bySubtask.get(subtask as number);
      if (snap === undefined) bySubtask.set(subtask as number, (snap = { states: noPrototype() }));
      snap.states[name] = { mode: s.mode as OperatorStateMode, items: s.items as unknown[] };
    }
    return [...bySubtask].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  }

  /**
   * At a barrier (when the operator has a uid and the barrier an acknowledger): calls `snapshotState`,
   * then acknowledges this subtask's parts, or declines when its state cannot be written.
   */
  acknowledge(barrier: CheckpointBarrier, keyed: HeapKeyedStateBackend | undefined, timers?: InternalTimerService<undefined>): void {
    const uid = this.origin.uid;
    const ack = barrier.acknowledger;
    if (uid === undefined || ack === undefined) return;
    const start = this.now();
    const ctx: FunctionSnapshotContext = { getCheckpointId: () => barrier.checkpointId, getCheckpointTimestamp: () => barrier.timestamp };
    for (const fn of this.fns) if (isCheckpointedFunction(fn)) fn.snapshotState(ctx);
    let snapshot: OperatorSnapshot;
    try {
      const incremental = !barrier.full && keyed !== undefined && keyed.isTrackingChanges();
      const parts = this.parts ?? new ProcessStateParts(this.origin, 128);
      const keyedParts = parts.snapshot(incremental, keyed, timers);
      const operator: Array<[string, string]> = [];
      const states = this.backend.snapshot().states;
      for (const name of Object.keys(states)) {
        operator.push([defaultStateSerializer.serialize([name, this.subtaskIndex]), defaultStateSerializer.serialize(states[name])]);
      }
      snapshot = {
        parts: true,
        keyed: keyedParts,
        operator,
        incremental,
        syncMillis: this.now() - start,
        kind: this.kind,
        states: [...parts.stateNames, ...Object.keys(states)],
      };
    } catch (err) {
      ack.decline(uid, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    ack.acknowledge(uid, snapshot);
  }

  /** Leaves the checkpoint coordinator (at completion, error or unsubscribe). */
  close(): void {
    this.unregister?.();
    this.unregister = undefined;
  }
}
