/**
 * The in-memory keyed state backend (the default, browser included): per state descriptor, one `Map`
 * from key to that key's entry. An entry holds the value itself (no wrapper), its TTL stamp and a
 * "changed since the last incremental snapshot" flag, so a read or a write is one `Map` lookup at most
 * (the current key's entry is cached per state) and change tracking costs a flag test on the hot path.
 *
 * Value state without a TTL (the common case: a counter, a flag, the last value) needs neither stamp nor
 * entry: its `Map` holds the values themselves, so `value()` is one `Map.get` and `update()` one
 * `Map.set`, as in a hand-written loop. Its changes since the last incremental snapshot are kept as a
 * map of changed keys, written only while tracking is on.
 * @module
 */
import { type ErrorOrigin, NotKeyedError, StateError } from '../../core/errors';
import type { Key, Timestamp } from '../../core/types';
import { keyGroupOf, mapKey } from '../../keyed/key-group';
import type { AggregatingState, AggregatingStateDescriptor } from '../descriptors/aggregating-state-descriptor';
import type { ListState, ListStateDescriptor } from '../descriptors/list-state-descriptor';
import type { MapState, MapStateDescriptor } from '../descriptors/map-state-descriptor';
import type { ReducingState, ReducingStateDescriptor } from '../descriptors/reducing-state-descriptor';
import type { StateDescriptor, StateKind } from '../descriptors/state-descriptor';
import type { ValueState, ValueStateDescriptor } from '../descriptors/value-state-descriptor';
import type { KeyedStateStore } from '../keyed-state-store';
import { noPrototype } from '../operator-state';
import type { StateTtlConfig } from '../ttl';

/** A list element or map value with the time of its last (TTL-relevant) access. */
interface Stamped<V> {
  v: V;
  ts: Timestamp;
}

/**
 * One key's entry of one state. `value` is the value itself for value, reducing and aggregating state,
 * a `Stamped[]` for list state and a `Map<unknown, Stamped>` for map state. Fields in a fixed order.
 */
class StateEntry {
  constructor(
    readonly key: Key,
    public value: unknown,
    /** Processing time of the last TTL-relevant access (0 without a TTL). */
    public stamp: Timestamp,
    /** True once the entry is in its table's `changed` list (or while change tracking is off). */
    public changed: boolean,
  ) {}
}

/** The current key, shared by every table of a backend. */
class KeyScope {
  key: Key | undefined = undefined;
  /** The key's `Map` form (see `mapKey`). */
  mk: unknown = undefined;
  /** Bumped by every `setCurrentKey`: a table's cached entry is the current key's while its version matches. */
  version = 0;
  /** Whether changes are recorded for incremental snapshots (off until `startChangeTracking`). */
  tracking = false;
  constructor(
    readonly origin: ErrorOrigin,
    readonly now: () => Timestamp,
  ) {}
}

/** What `purgeExpired` left of an entry. */
type Purge = 0 | 1 | 2;
const PURGED_NONE = 0;
const PURGED_SOME = 1;
const PURGED_ALL = 2;

/** One state: its entries by key, the current key's entry cached, and the entries changed since the last incremental snapshot. */
class StateTable {
  readonly entries = new Map<unknown, StateEntry>();
  /**
   * Value state without a TTL: the values themselves by map key (`entries` stays empty). Decided when
   * the descriptor registers (entries restored before that move here then).
   */
  direct = false;
  readonly values = new Map<unknown, unknown>();
  /** Direct tables: the array keys by their map key (a primitive key is its own map key). */
  readonly arrayKeys = new Map<unknown, Key>();
  /** Direct tables while tracking: the keys written or removed since the last incremental snapshot, by map key. */
  changedKeys = new Map<unknown, Key>();
  cleanupCursor: Iterator<[unknown, StateEntry]> | undefined = undefined;
  ttl: StateTtlConfig | undefined = undefined;
  /** Entries checked for expiry on every access (the TTL's incremental cleanup size, else 0). */
  cleanupSize = 0;
  /** The scope version for which `cached` holds the current key's entry (`undefined` there: the key has none). */
  cachedVersion = -1;
  cached: StateEntry | undefined = undefined;
  /** Entries created, written or removed since the last incremental snapshot (a removed one stands for its key). */
  changed: StateEntry[] = [];

  constructor(
    readonly scope: KeyScope,
    /** Undefined for a table restored before its descriptor registered. */
    public descriptor: StateDescriptor<unknown> | undefined,
    readonly name: string,
    readonly kind: StateKind,
  ) {}

  register(d: StateDescriptor<unknown>): void {
    this.descriptor = d;
    this.ttl = d.ttlConfig;
    this.cleanupSize = d.ttlConfig?.incrementalCleanupSize ?? 0;
    if (this.kind === 'value' && this.ttl === undefined && !this.direct) {
      this.direct = true;
      for (const [mk, e] of this.entries) this.setDirect(mk, e.key, e.value);
      // entries restored while tracking (and removals) stay changes
      for (const e of this.changed) this.changedKeys.set(typeof e.key === 'object' ? mapKey(e.key) : e.key, e.key);
      this.entries.clear();
      this.changed = [];
      this.cachedVersion = -1;
      this.cached = undefined;
    }
  }

  /** The key of a direct table's map key. */
  keyOf(mk: unknown): Key {
    return (typeof mk === 'string' ? this.arrayKeys.get(mk) : undefined) ?? (mk as Key);
  }

  /** Sets a direct table's value of `key` (map key `mk`), untracked. */
  setDirect(mk: unknown, key: Key, v: unknown): void {
    this.values.set(mk, v);
    if (typeof key === 'object') this.arrayKeys.set(mk, key);
  }

  /** Removes a direct table's value of `key` (map key `mk`), tracked. */
  removeDirect(mk: unknown, key: Key): void {
    if (!this.values.delete(mk)) return;
    if (typeof key === 'object') this.arrayKeys.delete(mk);
    if (this.scope.tracking) this.changedKeys.set(mk, key);
  }

  /** The current key's entry (one `Map` lookup, none when the same key asks again). */
  current(): StateEntry | undefined {
    if (this.cleanupSize > 0) this.cleanupIncrementally();
    const s = this.scope;
    if (this.cachedVersion === s.version) return this.cached;
    if (s.key === undefined) throw new NotKeyedError(s.origin, `keyed state "${this.name}"`);
    const e = this.entries.get(s.mk);
    this.cachedVersion = s.version;
    this.cached = e;
    return e;
  }

  /** Creates the current key's entry (call right after `current()` returned undefined). */
  create(value: unknown, stamp: Timestamp): StateEntry {
    const s = this.scope;
    const e = new StateEntry(s.key!, value, stamp, true);
    this.entries.set(s.mk, e);
    this.cachedVersion = s.version;
    this.cached = e;
    if (s.tracking) this.changed.push(e);
    return e;
  }

  /** Records that `e` changed (a flag test when it already did since the last incremental snapshot). */
  touch(e: StateEntry): void {
    if (!e.changed) {
      e.changed = true;
      this.changed.push(e);
    }
  }

  /** Removes `e`, the entry of map key `mk`. */
  remove(mk: unknown, e: StateEntry): void {
    this.entries.delete(mk);
    if (this.cached === e) this.cached = undefined;
    this.touch(e);
  }

  /** Removes the current key's entry, if any. */
  clear(): void {
    const e = this.current();
    if (e !== undefined) this.remove(this.scope.mk, e);
  }

  /** A stamp for a value written now: the clock is read only when the state has a TTL. */
  stampNow(): Timestamp {
    return this.ttl === undefined ? 0 : this.scope.now();
  }

  expired(ts: Timestamp): boolean {
    const ttl = this.ttl;
    return ttl !== undefined && this.scope.now() - ts >= ttl.ttl;
  }

  /**
   * Reads the current key's value-like entry with TTL semantics: undefined when the key has none or
   * it expired and expired values are not visible (an expired entry is removed).
   */
  readEntry(): StateEntry | undefined {
    const e = this.current();
    if (e === undefined || this.ttl === undefined) return e;
    const ttl = this.ttl;
    if (this.expired(e.stamp)) {
      this.remove(this.scope.mk, e);
      return ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? e : undefined;
    }
    if (ttl.updateType === 'OnReadAndWrite') {
      e.stamp = this.scope.now();
      this.touch(e);
    }
    return e;
  }

  /** Reads a stamped element with TTL semantics; `onExpired` runs for an expired one. */
  readStamped<V>(s: Stamped<V>, onExpired: () => void): boolean {
    const ttl = this.ttl;
    if (ttl === undefined) return true;
    if (this.expired(s.ts)) {
      onExpired();
      return ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp';
    }
    if (ttl.updateType === 'OnReadAndWrite') s.ts = this.scope.now();
    return true;
  }

  stamped<V>(v: V): Stamped<V> {
    return { v, ts: this.stampNow() };
  }

  cleanupIncrementally(): void {
    const n = this.cleanupSize;
    let cursor = this.cleanupCursor ?? this.entries.entries();
    for (let i = 0; i < n; i++) {
      let r = cursor.next();
      if (r.done === true) {
        cursor = this.entries.entries();
        r = cursor.next();
        if (r.done === true) break;
      }
      const [mk, e] = r.value;
      const left = this.purgeExpired(e);
      if (left === PURGED_ALL) this.remove(mk, e);
      else if (left === PURGED_SOME) this.touch(e);
    }
    this.cleanupCursor = cursor;
  }

  /** Drops the expired parts of an entry (list elements, map entries, or the whole value). */
  purgeExpired(e: StateEntry): Purge {
    switch (this.kind) {
      case 'list': {
        const list = e.value as Stamped<unknown>[];
        const kept = list.filter((s) => !this.expired(s.ts));
        if (kept.length === list.length) return PURGED_NONE;
        e.value = kept;
        return kept.length === 0 ? PURGED_ALL : PURGED_SOME;
      }
      case 'map': {
        const m = e.value as Map<unknown, Stamped<unknown>>;
        const size = m.size;
        for (const [k, s] of m) if (this.expired(s.ts)) m.delete(k);
        return m.size === 0 ? PURGED_ALL : m.size === size ? PURGED_NONE : PURGED_SOME;
      }
      default:
        return this.expired(e.stamp) ? PURGED_ALL : PURGED_NONE;
    }
  }

  /** The entry's data in snapshot form (a copy): `{ v, ts }`, `Stamped[]` or `Map<unknown, Stamped>`. */
  snapshotData(e: StateEntry): unknown {
    switch (this.kind) {
      case 'list':
        return (e.value as Stamped<unknown>[]).map((s) => ({ v: s.v, ts: s.ts }));
      case 'map':
        return new Map([...(e.value as Map<unknown, Stamped<unknown>>)].map(([k, s]) => [k, { v: s.v, ts: s.ts }]));
      default:
        return { v: e.value, ts: e.stamp };
    }
  }

  /** The entry's snapshot form, or undefined when the TTL says to leave it out (expired, with `cleanupFullSnapshot`). */
  snapshotEntry(e: StateEntry): unknown {
    const data = this.snapshotData(e);
    if (this.ttl?.cleanupInSnapshots !== true) return data;
    switch (this.kind) {
      case 'list': {
        const kept = (data as Stamped<unknown>[]).filter((s) => !this.expired(s.ts));
        return kept.length === 0 ? undefined : kept;
      }
      case 'map': {
        const m = data as Map<unknown, Stamped<unknown>>;
        for (const [k, s] of m) if (this.expired(s.ts)) m.delete(k);
        return m.size === 0 ? undefined : m;
      }
      default:
        return this.expired(e.stamp) ? undefined : data;
    }
  }

  /** Sets an entry from snapshot data (a copy), tracked as a change when tracking is on. */
  restoreEntry(key: Key, data: unknown): void {
    const mk = typeof key === 'object' ? mapKey(key) : key;
    if (this.direct) {
      this.setDirect(mk, key, (data as Stamped<unknown>).v);
      if (this.scope.tracking) this.changedKeys.set(mk, key);
      return;
    }
    let value: unknown;
    let stamp = 0;
    switch (this.kind) {
      case 'list':
        value = (data as Stamped<unknown>[]).map((s) => ({ v: s.v, ts: s.ts }));
        break;
      case 'map':
        value = new Map([...(data as Map<unknown, Stamped<unknown>>)].map(([k, s]) => [k, { v: s.v, ts: s.ts }]));
        break;
      default:
        value = (data as Stamped<unknown>).v;
        stamp = (data as Stamped<unknown>).ts;
    }
    const e = new StateEntry(key, value, stamp, true);
    this.entries.set(mk, e);
    this.cachedVersion = -1;
    if (this.scope.tracking) this.changed.push(e);
  }

  /** Removes the entry of `key` (restoring a removal from an incremental snapshot). */
  restoreRemoval(key: Key): void {
    const mk = typeof key === 'object' ? mapKey(key) : key;
    if (this.direct) {
      this.removeDirect(mk, key);
      return;
    }
    const e = this.entries.get(mk);
    if (e !== undefined) this.remove(mk, e);
  }
}

/** One state's entries in a snapshot. */
export interface StateSnapshotEntry {
  keyGroup: number;
  key: Key;
  data: unknown;
}

/**
 * A snapshot of every keyed state of an operator (values carry their TTL timestamps). `states` has no
 * prototype: any state name, `__proto__` included, is a plain key of it.
 */
export interface KeyedStateSnapshot {
  states: Record<string, { kind: StateKind; entries: StateSnapshotEntry[] }>;
}

/** What changed in one key group of one state since the last incremental snapshot. */
export interface KeyGroupChanges {
  /** The current entries of the keys written or created. */
  updated: StateSnapshotEntry[];
  /** The keys whose entry was removed (cleared, expired, or emptied). */
  removed: Key[];
}

/**
 * The keyed state changed since the previous call of `snapshotChanges` (or `startChangeTracking`): per
 * state name (a prototype-free record), per key group, the updated entries and the removed keys. A full
 * snapshot followed by these, in order, restores the state (`restore`, then `applyChanges`).
 */
export interface KeyedStateChanges {
  states: Record<string, { kind: StateKind; keyGroups: Map<number, KeyGroupChanges> }>;
}

/**
 * Keyed state in memory. `setCurrentKey` scopes every handle to a key; handles are cheap views that
 * read the current key when used.
 *
 * Incremental snapshots: after `startChangeTracking()`, every entry created, written or removed is
 * recorded once (a flag on the entry, tested on each write), and `snapshotChanges()` returns those keys
 * per state and key group and starts the next round. Without tracking nothing is recorded.
 *
 * @example
 * ```ts
 * const backend = new HeapKeyedStateBackend({ operator: 'counter' }, () => scheduler.now());
 * const count = backend.getState(new ValueStateDescriptor<number>('count', 0));
 * backend.setCurrentKey('ann'); count.update(count.value()! + 1);
 * ```
 * @see Flink's `HeapKeyedStateBackend`
 */
export class HeapKeyedStateBackend implements KeyedStateStore {
  private readonly tables = new Map<string, StateTable>();
  /** The tables whose TTL cleans a few entries on every record (`cleanupIncrementally(n, true)`). */
  private readonly cleanedEveryRecord: StateTable[] = [];
  private readonly scope: KeyScope;

  constructor(
    private readonly origin: ErrorOrigin,
    now: () => Timestamp,
    private readonly maxParallelism = 128,
  ) {
    this.scope = new KeyScope(origin, now);
  }

  setCurrentKey(key: Key | undefined): void {
    const s = this.scope;
    s.key = key;
    s.mk = typeof key === 'object' ? mapKey(key) : key;
    s.version = s.version === 0x3fffffff ? 0 : s.version + 1;
  }
  getCurrentKey(): Key | undefined {
    return this.scope.key;
  }

  /** Number of (state, key) entries held, expired ones included until cleaned up. */
  numEntries(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.entries.size + t.values.size;
    return n;
  }

  private table(d: StateDescriptor<unknown>): StateTable {
    let t = this.tables.get(d.name);
    if (t === undefined) {
      t = new StateTable(this.scope, d, d.name, d.kind);
      this.tables.set(d.name, t);
    } else if (t.kind !== d.kind) {
      throw new StateError(this.origin, `state "${d.name}" is already registered as ${t.kind} state; it cannot be used as ${d.kind} state`);
    } else if (t.descriptor !== undefined) {
      return t;
    }
    t.register(d);
    if (d.ttlConfig?.incrementalCleanupEveryRecord === true) this.cleanedEveryRecord.push(t);
    return t;
  }

  /** Runs incremental cleanup for every state configured to clean up on every record. */
  cleanupOnRecord(): void {
    const tables = this.cleanedEveryRecord;
    for (let i = 0; i < tables.length; i++) tables[i]!.cleanupIncrementally();
  }

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    const t = this.table(d as StateDescriptor<unknown>);
    return t.direct ? new DirectValueState<T>(t, d.defaultValue) : new HeapValueState<T>(t, d.defaultValue);
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return new HeapListState<T>(this.table(d as StateDescriptor<unknown>));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    return new HeapMapState<K, V>(this.table(d as StateDescriptor<unknown>));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const t = this.table(d as StateDescriptor<unknown>);
    const reduce = d.reduce;
    return {
      get: () => t.readEntry()?.value as T | undefined,
      add: (v) => {
        const e = t.readEntry(); // an expired value may still be visible (ReturnExpiredIfNotCleanedUp)
        const next = e === undefined ? v : reduce(e.value as T, v);
        const live = t.cached; // the current key's entry, after readEntry
        if (live === undefined) t.create(next, t.stampNow());
        else writeValue(t, live, next);
      },
      clear: () => t.clear(),
    };
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const t = this.table(d as StateDescriptor<unknown>);
    const fn = d.aggregate;
    return {
      get: () => {
        const e = t.readEntry();
        return e === undefined ? undefined : fn.getResult(e.value as ACC);
      },
      add: (v) => {
        const e = t.readEntry(); // an expired accumulator may still be visible (ReturnExpiredIfNotCleanedUp)
        const next = fn.add(v, e === undefined ? fn.createAccumulator() : (e.value as ACC));
        const live = t.cached; // the current key's entry, after readEntry
        if (live === undefined) t.create(next, t.stampNow());
        else writeValue(t, live, next);
      },
      clear: () => t.clear(),
    };
  }

  /** Removes every state entry of the current key (all states, whatever their TTL). */
  clearCurrentKey(): void {
    const s = this.scope;
    if (s.key === undefined) throw new NotKeyedError(this.origin, 'keyed state');
    for (const t of this.tables.values()) {
      if (t.direct) {
        t.removeDirect(s.mk, s.key);
        continue;
      }
      const e = t.entries.get(s.mk);
      if (e !== undefined) t.remove(s.mk, e);
    }
  }

  /** The keys (in their map form, see `mapKey`) with an entry in any state, expired ones included until cleaned up. */
  mapKeysWithState(): Set<unknown> {
    const out = new Set<unknown>();
    for (const t of this.tables.values()) for (const mk of t.direct ? t.values.keys() : t.entries.keys()) out.add(mk);
    return out;
  }

  /** The keys that have an entry in the state named `stateName` (a copy: safe to change state while iterating). */
  keys(stateName: string): Key[] {
    const t = this.tables.get(stateName);
    if (t === undefined) return [];
    const out: Key[] = [];
    if (t.direct) for (const mk of t.values.keys()) out.push(t.keyOf(mk));
    else for (const e of t.entries.values()) out.push(e.key);
    return out;
  }

  /** Every entry, by state name, with its key group; expired entries left out when the TTL says so. */
  snapshot(): KeyedStateSnapshot {
    const states = noPrototype<KeyedStateSnapshot['states'][string]>();
    for (const [name, t] of this.tables) {
      const entries: StateSnapshotEntry[] = [];
      for (const [mk, v] of t.values) {
        const key = t.keyOf(mk);
        entries.push({ keyGroup: keyGroupOf(key, this.maxParallelism), key, data: { v, ts: 0 } });
      }
      for (const e of t.entries.values()) {
        const data = t.snapshotEntry(e);
        if (data !== undefined) entries.push({ keyGroup: keyGroupOf(e.key, this.maxParallelism), key: e.key, data });
      }
      states[name] = { kind: t.kind, entries };
    }
    return { states };
  }

  /**
   * Starts (or restarts) recording changes for incremental snapshots: what exists now counts as
   * unchanged (take a full snapshot at the same moment), and every later create, write or removal is
   * recorded for the next `snapshotChanges()`.
   */
  startChangeTracking(): void {
    this.scope.tracking = true;
    for (const t of this.tables.values()) {
      for (const e of t.entries.values()) e.changed = false;
      for (const e of t.changed) e.changed = false;
      t.changed = [];
      t.changedKeys = new Map();
    }
  }

  /** Whether changes are being recorded (`startChangeTracking` was called). */
  isTrackingChanges(): boolean {
    return this.scope.tracking;
  }

  /**
   * The keys changed since the last `snapshotChanges()` or `startChangeTracking()`, per state and key
   * group, with their current entries (or as removed); then starts the next round. Its cost follows the
   * number of changed keys, not the size of the state.
   * @throws StateError when change tracking was not started.
   */
  snapshotChanges(): KeyedStateChanges {
    if (!this.scope.tracking) throw new StateError(this.origin, 'snapshotChanges() needs startChangeTracking() first (and a full snapshot taken with it)');
    const states = noPrototype<KeyedStateChanges['states'][string]>();
    for (const [name, t] of this.tables) {
      const keyGroups = new Map<number, KeyGroupChanges>();
      if (t.direct) {
        const changedKeys = t.changedKeys;
        t.changedKeys = new Map();
        for (const [mk, key] of changedKeys) {
          const keyGroup = keyGroupOf(key, this.maxParallelism);
          let g = keyGroups.get(keyGroup);
          if (g === undefined) keyGroups.set(keyGroup, (g = { updated: [], removed: [] }));
          const v = t.values.get(mk);
          if (v === undefined) g.removed.push(key);
          else g.updated.push({ keyGroup, key, data: { v, ts: 0 } });
        }
        if (keyGroups.size > 0) states[name] = { kind: t.kind, keyGroups };
        continue;
      }
      const seen = new Set<unknown>();
      const changed = t.changed;
      t.changed = [];
      for (let i = 0; i < changed.length; i++) {
        const c = changed[i]!;
        c.changed = false;
        const mk = typeof c.key === 'object' ? mapKey(c.key) : c.key;
        if (seen.has(mk)) continue;
        seen.add(mk);
        const keyGroup = keyGroupOf(c.key, this.maxParallelism);
        let g = keyGroups.get(keyGroup);
        if (g === undefined) keyGroups.set(keyGroup, (g = { updated: [], removed: [] }));
        const e = t.entries.get(mk);
        if (e === undefined) {
          g.removed.push(c.key);
          continue;
        }
        e.changed = false;
        const data = t.snapshotEntry(e);
        if (data === undefined) g.removed.push(c.key);
        else g.updated.push({ keyGroup, key: e.key, data });
      }
      if (keyGroups.size > 0) states[name] = { kind: t.kind, keyGroups };
    }
    return { states };
  }

  /** Applies an incremental snapshot on top of restored state (only the key groups `keyGroups` accepts, when given). */
  applyChanges(changes: KeyedStateChanges, keyGroups?: (keyGroup: number) => boolean): void {
    for (const name of Object.keys(changes.states)) {
      const s = changes.states[name]!;
      const t = this.restoredTable(name, s.kind);
      for (const [g, c] of s.keyGroups) {
        if (keyGroups !== undefined && !keyGroups(g)) continue;
        for (const k of c.removed) t.restoreRemoval(k);
        for (const e of c.updated) t.restoreEntry(e.key, e.data);
      }
    }
  }

  private restoredTable(name: string, kind: StateKind): StateTable {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new StateTable(this.scope, undefined, name, kind);
      this.tables.set(name, t);
    } else if (t.kind !== kind) {
      throw new StateError(this.origin, `restored state "${name}" is ${kind} state, but it is registered as ${t.kind} state`);
    }
    return t;
  }

  /**
   * Restores entries from a snapshot (all of them, or only those in `keyGroups`, for a subtask that owns
   * part of the key space). State descriptors register lazily: entries wait for their descriptor.
   */
  restore(snapshot: KeyedStateSnapshot, keyGroups?: (keyGroup: number) => boolean): void {
    for (const name of Object.keys(snapshot.states)) {
      const s = snapshot.states[name]!;
      const t = this.restoredTable(name, s.kind);
      for (const e of s.entries) {
        if (keyGroups !== undefined && !keyGroups(e.keyGroup)) continue;
        t.restoreEntry(e.key, e.data);
      }
    }
  }

  /** Forgets everything. */
  dispose(): void {
    this.tables.clear();
    this.cleanedEveryRecord.length = 0;
  }
}

/** Overwrites a value-like entry in place (no allocation), restamping it when the state has a TTL. */
function writeValue(t: StateTable, e: StateEntry, v: unknown): void {
  e.value = v;
  if (t.ttl !== undefined) e.stamp = t.scope.now();
  if (!e.changed) t.touch(e);
}

/** Value state without a TTL: one `Map.get` per read, one `Map.set` per write (plus one while tracking changes). */
class DirectValueState<T> implements ValueState<T> {
  constructor(
    private readonly t: StateTable,
    private readonly defaultValue: T | undefined,
  ) {}

  value(): T | undefined {
    const s = this.t.scope;
    if (s.key === undefined) throw new NotKeyedError(s.origin, `keyed state "${this.t.name}"`);
    const v = this.t.values.get(s.mk);
    return v === undefined ? this.defaultValue : (v as T);
  }

  update(v: T): void {
    const t = this.t;
    const s = t.scope;
    const key = s.key;
    if (key === undefined) throw new NotKeyedError(s.origin, `keyed state "${t.name}"`);
    if (v === undefined) {
      t.removeDirect(s.mk, key);
      return;
    }
    t.values.set(s.mk, v);
    if (typeof key === 'object') t.arrayKeys.set(s.mk, key);
    if (s.tracking) t.changedKeys.set(s.mk, key);
  }

  clear(): void {
    const s = this.t.scope;
    if (s.key === undefined) throw new NotKeyedError(s.origin, `keyed state "${this.t.name}"`);
    this.t.removeDirect(s.mk, s.key);
  }
}

class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly t: StateTable,
    private readonly defaultValue: T | undefined,
  ) {}

  value(): T | undefined {
    const t = this.t;
    const e = t.ttl === undefined ? t.current() : t.readEntry();
    return e === undefined ? this.defaultValue : (e.value as T);
  }

  update(v: T): void {
    const t = this.t;
    if (v === undefined) {
      t.clear();
      return;
    }
    const e = t.current();
    if (e === undefined) t.create(v, t.stampNow());
    else writeValue(t, e, v);
  }

  clear(): void {
    this.t.clear();
  }
}

class HeapListState<T> implements ListState<T> {
  constructor(private readonly t: StateTable) {}

  get(): T[] {
    const t = this.t;
    const e = t.current();
    if (e === undefined) return [];
    const list = e.value as Stamped<T>[];
    const out: T[] = [];
    let anyExpired = false;
    for (const s of list) if (t.readStamped(s, () => (anyExpired = true))) out.push(s.v);
    if (anyExpired) {
      const kept = list.filter((s) => !t.expired(s.ts));
      if (kept.length === 0) t.remove(t.scope.mk, e);
      else e.value = kept;
    }
    if (t.ttl !== undefined) t.touch(e);
    return out;
  }

  add(v: T): void {
    const t = this.t;
    const e = t.current();
    if (e === undefined) t.create([t.stamped(v)], 0);
    else {
      (e.value as Stamped<T>[]).push(t.stamped(v));
      t.touch(e);
    }
  }

  addAll(vs: Iterable<T>): void {
    for (const v of vs) this.add(v);
  }

  update(vs: Iterable<T>): void {
    const t = this.t;
    const list = [...vs].map((v) => t.stamped(v));
    const e = t.current();
    if (list.length === 0) t.clear();
    else if (e === undefined) t.create(list, 0);
    else {
      e.value = list;
      t.touch(e);
    }
  }

  clear(): void {
    this.t.clear();
  }
}

class HeapMapState<K, V> implements MapState<K, V> {
  constructor(private readonly t: StateTable) {}

  private map(create: boolean): Map<K, Stamped<V>> | undefined {
    const t = this.t;
    const e = t.current();
    if (e !== undefined) {
      if (create || t.ttl !== undefined) t.touch(e);
      return e.value as Map<K, Stamped<V>>;
    }
    if (!create) return undefined;
    const m = new Map<K, Stamped<V>>();
    t.create(m, 0);
    return m;
  }

  private dropIfEmpty(m: Map<K, Stamped<V>>): void {
    if (m.size > 0) return;
    const t = this.t;
    const e = t.current();
    if (e !== undefined) t.remove(t.scope.mk, e);
  }

  private readAll(): Array<[K, V]> {
    const m = this.map(false);
    if (m === undefined) return [];
    const out: Array<[K, V]> = [];
    for (const [k, s] of [...m]) if (this.t.readStamped(s, () => m.delete(k))) out.push([k, s.v]);
    this.dropIfEmpty(m);
    return out;
  }

  get(k: K): V | undefined {
    const m = this.map(false);
    const s = m?.get(k);
    if (m === undefined || s === undefined) return undefined;
    const ok = this.t.readStamped(s, () => {
      m.delete(k);
      this.dropIfEmpty(m);
    });
    return ok ? s.v : undefined;
  }
  put(k: K, v: V): void {
    this.map(true)!.set(k, this.t.stamped(v));
  }
  putAll(entries: Iterable<readonly [K, V]>): void {
    const m = this.map(true)!;
    for (const [k, v] of entries) m.set(k, this.t.stamped(v));
  }
  remove(k: K): void {
    const m = this.map(false);
    if (m === undefined) return;
    if (m.delete(k)) this.t.touch(this.t.current()!);
    this.dropIfEmpty(m);
  }
  contains(k: K): boolean {
    const m = this.map(false);
    const s = m?.get(k);
    if (m === undefined || s === undefined) return false;
    return this.t.readStamped(s, () => {
      m.delete(k);
      this.dropIfEmpty(m);
    });
  }
  entries(): Array<[K, V]> {
    return this.readAll();
  }
  keys(): K[] {
    return this.readAll().map(([k]) => k);
  }
  values(): V[] {
    return this.readAll().map(([, v]) => v);
  }
  isEmpty(): boolean {
    return this.readAll().length === 0;
  }
  clear(): void {
    this.t.clear();
  }
}
