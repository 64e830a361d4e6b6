/**
 * The in-memory keyed state backend (the default, browser included): per state descriptor, one `Map`
 * from key to that key's value, with TTL bookkeeping when the descriptor has a TTL.
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
import type { StateTtlConfig } from '../ttl';

/** A value with the time of its last (TTL-relevant) access. */
interface Stamped<V> {
  v: V;
  ts: Timestamp;
}

/** One key's entry of one state. */
interface Entry {
  key: Key;
  /** value/reducing/aggregating: Stamped; list: Stamped[]; map: Map<unknown, Stamped>. */
  data: unknown;
}

class StateTable {
  readonly entries = new Map<unknown, Entry>();
  cleanupCursor: Iterator<[unknown, Entry]> | undefined = undefined;
  constructor(
    /** Undefined for a table restored before its descriptor registered. */
    public descriptor: StateDescriptor<unknown> | undefined,
    readonly name: string,
    readonly kind: StateKind,
  ) {}
  get ttl(): StateTtlConfig | undefined {
    return this.descriptor?.ttlConfig;
  }
}

/** One state's entries in a snapshot. */
export interface StateSnapshotEntry {
  keyGroup: number;
  key: Key;
  data: unknown;
}

/** A snapshot of every keyed state of an operator (values carry their TTL timestamps). */
export interface KeyedStateSnapshot {
  states: Record<string, { kind: StateKind; entries: StateSnapshotEntry[] }>;
}

/**
 * Keyed state in memory. `setCurrentKey` scopes every handle to a key; handles are cheap views that
 * read the current key when used.
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
  private currentKey: Key | undefined = undefined;
  private currentMapKey: unknown = undefined;

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly now: () => Timestamp,
    private readonly maxParallelism = 128,
  ) {}

  setCurrentKey(key: Key | undefined): void {
    this.currentKey = key;
    this.currentMapKey = key === undefined ? undefined : typeof key === 'object' ? mapKey(key) : key;
  }
  getCurrentKey(): Key | undefined {
    return this.currentKey;
  }

  /** Number of (state, key) entries held, expired ones included until cleaned up. */
  numEntries(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.entries.size;
    return n;
  }

  private table(d: StateDescriptor<unknown>): StateTable {
    let t = this.tables.get(d.name);
    if (t === undefined) {
      t = new StateTable(d, d.name, d.kind);
      this.tables.set(d.name, t);
    } else if (t.kind !== d.kind) {
      throw new StateError(this.origin, `state "${d.name}" is already registered as ${t.kind} state; it cannot be used as ${d.kind} state`);
    } else if (t.descriptor === undefined) {
      t.descriptor = d;
    } else {
      return t;
    }
    if (d.ttlConfig?.incrementalCleanupEveryRecord === true) this.cleanedEveryRecord.push(t);
    return t;
  }

  private entry(t: StateTable): Entry | undefined {
    if (this.currentKey === undefined) throw new NotKeyedError(this.origin, `keyed state "${t.name}"`);
    if (t.ttl !== undefined && t.ttl.incrementalCleanupSize > 0) this.cleanupIncrementally(t);
    return t.entries.get(this.currentMapKey);
  }

  private put(t: StateTable, data: unknown): void {
    t.entries.set(this.currentMapKey, { key: this.currentKey!, data });
  }

  private expired(t: StateTable, s: Stamped<unknown>): boolean {
    const ttl = t.ttl;
    return ttl !== undefined && this.now() - s.ts >= ttl.ttl;
  }

  /** Reads a stamped value with TTL semantics; returns [visible, value]. */
  private read<V>(t: StateTable, s: Stamped<V>, onExpired: () => void): [boolean, V | undefined] {
    const ttl = t.ttl;
    if (ttl === undefined) return [true, s.v];
    if (this.expired(t, s)) {
      onExpired();
      return ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? [true, s.v] : [false, undefined];
    }
    if (ttl.updateType === 'OnReadAndWrite') s.ts = this.now();
    return [true, s.v];
  }

  /** A stamped value; the clock is read only when the state has a TTL. */
  private stamp<V>(t: StateTable, v: V): Stamped<V> {
    return { v, ts: t.ttl === undefined ? 0 : this.now() };
  }

  private cleanupIncrementally(t: StateTable): void {
    const ttl = t.ttl!;
    let cursor = t.cleanupCursor ?? t.entries.entries();
    for (let i = 0; i < ttl.incrementalCleanupSize; i++) {
      let r = cursor.next();
      if (r.done === true) {
        cursor = t.entries.entries();
        r = cursor.next();
        if (r.done === true) break;
      }
      const [mk, e] = r.value;
      if (this.purgeExpired(t, e)) t.entries.delete(mk);
    }
    t.cleanupCursor = cursor;
  }

  /** Drops the expired parts of an entry; true when nothing is left. */
  private purgeExpired(t: StateTable, e: Entry): boolean {
    switch (t.kind) {
      case 'list': {
        const kept = (e.data as Stamped<unknown>[]).filter((s) => !this.expired(t, s));
        e.data = kept;
        return kept.length === 0;
      }
      case 'map': {
        const m = e.data as Map<unknown, Stamped<unknown>>;
        for (const [k, s] of m) if (this.expired(t, s)) m.delete(k);
        return m.size === 0;
      }
      default:
        return this.expired(t, e.data as Stamped<unknown>);
    }
  }

  /** Runs incremental cleanup for every state configured to clean up on every record. */
  cleanupOnRecord(): void {
    const tables = this.cleanedEveryRecord;
    for (let i = 0; i < tables.length; i++) this.cleanupIncrementally(tables[i]!);
  }

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    const t = this.table(d as StateDescriptor<unknown>);
    return {
      value: () => {
        const e = this.entry(t);
        if (e === undefined) return d.defaultValue;
        if (t.ttl === undefined) return (e.data as Stamped<T>).v; // no TTL: no expiry to check
        const [ok, v] = this.read(t, e.data as Stamped<T>, () => t.entries.delete(this.currentMapKey));
        return ok ? v : d.defaultValue;
      },
      update: (v) => {
        const e = this.entry(t);
        if (v === undefined) t.entries.delete(this.currentMapKey);
        else if (e === undefined) this.put(t, this.stamp(t, v));
        else {
          // overwrite in place: no allocation per update
          const st = e.data as Stamped<T>;
          st.v = v;
          if (t.ttl !== undefined) st.ts = this.now();
        }
      },
      clear: () => {
        this.entry(t);
        t.entries.delete(this.currentMapKey);
      },
    };
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    const t = this.table(d as StateDescriptor<unknown>);
    const items = (): Stamped<T>[] | undefined => this.entry(t)?.data as Stamped<T>[] | undefined;
    const visible = (list: Stamped<T>[]): T[] => {
      const out: T[] = [];
      let anyExpired = false;
      for (const s of list) {
        const [ok, v] = this.read(t, s, () => (anyExpired = true));
        if (ok) out.push(v as T);
      }
      if (anyExpired) {
        const kept = list.filter((s) => !this.expired(t, s));
        if (kept.length === 0) t.entries.delete(this.currentMapKey);
        else this.put(t, kept);
      }
      return out;
    };
    return {
      get: () => {
        const list = items();
        return list === undefined ? [] : visible(list);
      },
      add: (v) => {
        const list = items();
        if (list === undefined) this.put(t, [this.stamp(t, v)]);
        else list.push(this.stamp(t, v));
      },
      addAll: (vs) => {
        for (const v of vs) {
          const list = items();
          if (list === undefined) this.put(t, [this.stamp(t, v)]);
          else list.push(this.stamp(t, v));
        }
      },
      update: (vs) => {
        this.entry(t);
        const list = [...vs].map((v) => this.stamp(t, v));
        if (list.length === 0) t.entries.delete(this.currentMapKey);
        else this.put(t, list);
      },
      clear: () => {
        this.entry(t);
        t.entries.delete(this.currentMapKey);
      },
    };
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    const t = this.table(d as StateDescriptor<unknown>);
    const map = (create: boolean): Map<K, Stamped<V>> | undefined => {
      const e = this.entry(t);
      if (e !== undefined) return e.data as Map<K, Stamped<V>>;
      if (!create) return undefined;
      const m = new Map<K, Stamped<V>>();
      this.put(t, m);
      return m;
    };
    const dropIfEmpty = (m: Map<K, Stamped<V>>): void => {
      if (m.size === 0) t.entries.delete(this.currentMapKey);
    };
    const readAll = (): Array<[K, V]> => {
      const m = map(false);
      if (m === undefined) return [];
      const out: Array<[K, V]> = [];
      for (const [k, s] of [...m]) {
        const [ok, v] = this.read(t, s, () => m.delete(k));
        if (ok) out.push([k, v as V]);
      }
      dropIfEmpty(m);
      return out;
    };
    return {
      get: (k) => {
        const m = map(false);
        const s = m?.get(k);
        if (m === undefined || s === undefined) return undefined;
        const [ok, v] = this.read(t, s, () => {
          m.delete(k);
          dropIfEmpty(m);
        });
        return ok ? v : undefined;
      },
      put: (k, v) => void map(true)!.set(k, this.stamp(t, v)),
      putAll: (entries) => {
        const m = map(true)!;
        for (const [k, v] of entries) m.set(k, this.stamp(t, v));
      },
      remove: (k) => {
        const m = map(false);
        if (m === undefined) return;
        m.delete(k);
        dropIfEmpty(m);
      },
      contains: (k) => {
        const m = map(false);
        const s = m?.get(k);
        if (m === undefined || s === undefined) return false;
        return this.read(t, s, () => {
          m.delete(k);
          dropIfEmpty(m);
        })[0];
      },
      entries: readAll,
      keys: () => readAll().map(([k]) => k),
      values: () => readAll().map(([, v]) => v),
      isEmpty: () => readAll().length === 0,
      clear: () => {
        this.entry(t);
        t.entries.delete(this.currentMapKey);
      },
    };
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const t = this.table(d as StateDescriptor<unknown>);
    const get = (): T | undefined => {
      const e = this.entry(t);
      if (e === undefined) return undefined;
      const [ok, v] = this.read(t, e.data as Stamped<T>, () => t.entries.delete(this.currentMapKey));
      return ok ? v : undefined;
    };
    return {
      get,
      add: (v) => {
        const cur = get();
        this.put(t, this.stamp(t, cur === undefined ? v : d.reduce(cur, v)));
      },
      clear: () => {
        this.entry(t);
        t.entries.delete(this.currentMapKey);
      },
    };
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const t = this.table(d as StateDescriptor<unknown>);
    const acc = (): ACC | undefined => {
      const e = this.entry(t);
      if (e === undefined) return undefined;
      const [ok, v] = this.read(t, e.data as Stamped<ACC>, () => t.entries.delete(this.currentMapKey));
      return ok ? v : undefined;
    };
    return {
      get: () => {
        const a = acc();
        return a === undefined ? undefined : d.aggregate.getResult(a);
      },
      add: (v) => {
        const a = acc();
        this.put(t, this.stamp(t, d.aggregate.add(v, a === undefined ? d.aggregate.createAccumulator() : a)));
      },
      clear: () => {
        this.entry(t);
        t.entries.delete(this.currentMapKey);
      },
    };
  }

  /** Removes every state entry of the current key (all states, whatever their TTL). */
  clearCurrentKey(): void {
    if (this.currentKey === undefined) throw new NotKeyedError(this.origin, 'keyed state');
    for (const t of this.tables.values()) t.entries.delete(this.currentMapKey);
  }

  /** The keys (in their map form, see `mapKey`) with an entry in any state, expired ones included until cleaned up. */
  mapKeysWithState(): Set<unknown> {
    const out = new Set<unknown>();
    for (const t of this.tables.values()) for (const mk of t.entries.keys()) out.add(mk);
    return out;
  }

  /** The keys that have an entry in the state named `stateName` (a copy: safe to change state while iterating). */
  keys(stateName: string): Key[] {
    const t = this.tables.get(stateName);
    return t === undefined ? [] : [...t.entries.values()].map((e) => e.key);
  }

  /** Every entry, by state name, with its key group; expired entries left out when the TTL says so. */
  snapshot(): KeyedStateSnapshot {
    const states: KeyedStateSnapshot['states'] = {};
    for (const [name, t] of this.tables) {
      const entries: StateSnapshotEntry[] = [];
      for (const e of t.entries.values()) {
        const copy: Entry = { key: e.key, data: cloneData(t.kind, e.data) };
        if (t.ttl?.cleanupInSnapshots === true && this.purgeExpired(t, copy)) continue;
        entries.push({ keyGroup: keyGroupOf(e.key, this.maxParallelism), key: e.key, data: copy.data });
      }
      states[name] = { kind: t.kind, entries };
    }
    return { states };
  }

  /**
   * Restores entries from a snapshot (all of them, or only those in `keyGroups`, for a subtask that owns
   * part of the key space). State descriptors register lazily: entries wait for their descriptor.
   */
  restore(snapshot: KeyedStateSnapshot, keyGroups?: (keyGroup: number) => boolean): void {
    for (const [name, s] of Object.entries(snapshot.states)) {
      let t = this.tables.get(name);
      if (t === undefined) {
        t = new StateTable(undefined, name, s.kind);
        this.tables.set(name, t);
      }
      for (const e of s.entries) {
        if (keyGroups !== undefined && !keyGroups(e.keyGroup)) continue;
        t.entries.set(typeof e.key === 'object' ? mapKey(e.key) : e.key, { key: e.key, data: cloneData(s.kind, e.data) });
      }
    }
  }

  /** Forgets everything. */
  dispose(): void {
    this.tables.clear();
    this.cleanedEveryRecord.length = 0;
  }
}

function cloneData(kind: StateKind, data: unknown): unknown {
  switch (kind) {
    case 'list':
      return (data as Stamped<unknown>[]).map((s) => ({ ...s }));
    case 'map':
      return new Map([...(data as Map<unknown, Stamped<unknown>>)].map(([k, s]) => [k, { ...s }]));
    default:
      return { ...(data as Stamped<unknown>) };
  }
}
