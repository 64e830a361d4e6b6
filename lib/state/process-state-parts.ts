/**
 * How the keyed state and the timers of the process-function operators (`process`, `keyedProcess`, the
 * co- and broadcast process operators) become checkpoint parts, one per key group, and come back.
 *
 * A key group's part holds one field per (state, key) and one per timer:
 * - `["s", stateName, key]` → `[kind, data]` (data as the heap backend snapshots it, with TTL stamps);
 * - `["e", key, time]` / `["p", key, time]` → its rank, an event-time / processing-time timer (timers at
 *   the same time fire in rank order, which is their registration order, after a restore too).
 *
 * Fields and values are written with the default state serializer (JSON with tags), so any state name or
 * key, `__proto__` and `constructor` included, is data. An incremental part holds only the entries that
 * changed since the previous checkpoint, with a tombstone for each removed one.
 * @module
 */
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import { CheckpointError, type ErrorOrigin, describeValue } from '../core/errors';
import type { Key, Timestamp } from '../core/types';
import { keyGroupOf, validateKey } from '../keyed/key-group';
import type { InternalTimer, InternalTimerService } from '../time/timer-service';
import type { StateKind } from './descriptors/state-descriptor';
import type { HeapKeyedStateBackend, KeyedStateSnapshot, StateSnapshotEntry } from './heap/heap-keyed-state-backend';
import { defaultStateSerializer } from './serializer';

const KINDS: ReadonlySet<string> = new Set<StateKind>(['value', 'list', 'map', 'reducing', 'aggregating']);

/** Parts by key group: field → serialized value ({@link TOMBSTONE} for a removal). */
export type KeyGroupParts = Map<number, Array<[string, string]>>;

/**
 * The keyed-state and timer side of a process operator's checkpoints: writes parts per key group (only
 * what changed when the barrier is not full) and restores the key groups a subtask owns. @internal
 */
export class ProcessStateParts {
  /** Per key group, the timer fields the last checkpoint wrote, with their ranks (timers have no change tracking: they are diffed). */
  private lastTimers = new Map<number, Map<string, number>>();
  /** The rank of the last timer seen. */
  private rank = 0;
  /** The names of the keyed states seen in snapshots and restores (for the checkpoint's metadata). */
  readonly stateNames = new Set<string>();

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly maxParallelism: number,
  ) {}

  private groupOf(key: Key, given: number): number {
    // the backend groups by its own max parallelism (128 unless told); the job's may differ
    return this.maxParallelism === 128 ? given : keyGroupOf(key, this.maxParallelism);
  }

  /**
   * The parts of this checkpoint: every entry and timer when `incremental` is false (change tracking, when
   * on, restarts), else the entries changed since the last call and the timers added or removed since
   * then. Incremental needs change tracking on (`keyed.startChangeTracking()` at open).
   */
  snapshot(incremental: boolean, keyed: HeapKeyedStateBackend | undefined, timers: InternalTimerService<undefined> | undefined): KeyGroupParts {
    const groups: KeyGroupParts = new Map();
    const put = (g: number, field: string, value: string): void => {
      let list = groups.get(g);
      if (list === undefined) groups.set(g, (list = []));
      list.push([field, value]);
    };
    if (keyed !== undefined) {
      if (!incremental) {
        const snap = keyed.snapshot();
        if (keyed.isTrackingChanges()) keyed.startChangeTracking();
        for (const name of Object.keys(snap.states)) {
          const s = snap.states[name]!;
          this.stateNames.add(name);
          for (const e of s.entries) put(this.groupOf(e.key, e.keyGroup), stateField(name, e.key), defaultStateSerializer.serialize([s.kind, e.data]));
        }
      } else {
        const changes = keyed.snapshotChanges();
        for (const name of Object.keys(changes.states)) {
          const s = changes.states[name]!;
          this.stateNames.add(name);
          for (const [g, c] of s.keyGroups) {
            for (const k of c.removed) put(this.groupOf(k, g), stateField(name, k), TOMBSTONE);
            for (const e of c.updated) put(this.groupOf(e.key, g), stateField(name, e.key), defaultStateSerializer.serialize([s.kind, e.data]));
          }
        }
      }
    }
    if (timers !== undefined) this.snapshotTimers(!incremental, timers, put);
    return groups;
  }

  private snapshotTimers(full: boolean, timers: InternalTimerService<undefined>, put: (g: number, field: string, value: string) => void): void {
    const current = new Map<number, Map<string, number>>();
    const add = (domain: 'e' | 'p', t: InternalTimer<undefined>): void => {
      if (t.key === undefined) return;
      const g = keyGroupOf(t.key, this.maxParallelism);
      let fields = current.get(g);
      if (fields === undefined) current.set(g, (fields = new Map()));
      const f = timerField(domain, t.key, t.time);
      const before = this.lastTimers.get(g)?.get(f);
      const rank = before ?? ++this.rank;
      fields.set(f, rank);
      if (full || before === undefined) put(g, f, String(rank));
    };
    // in (time, registration) order: a new timer's rank follows every older one's
    const snap = timers.snapshot();
    for (const t of snap.eventTime) add('e', t);
    for (const t of snap.processingTime) add('p', t);
    if (!full) {
      for (const [g, before] of this.lastTimers) {
        const now = current.get(g);
        for (const f of before.keys()) if (now === undefined || !now.has(f)) put(g, f, TOMBSTONE);
      }
    }
    this.lastTimers = current;
  }

  /**
   * Restores the entries and timers of the key groups `owned` accepts from restored parts (already merged
   * along their incremental chain: no tombstones left).
   * @throws {@link CheckpointError} on a field or value this code did not write (a corrupt snapshot, or
   * another operator's state under this uid).
   */
  restore(
    parts: Iterable<readonly [number, Iterable<readonly [string, string]>]>,
    owned: (keyGroup: number) => boolean,
    keyed: HeapKeyedStateBackend | undefined,
    timers: InternalTimerService<undefined> | undefined,
  ): void {
    const states = Object.create(null) as KeyedStateSnapshot['states'];
    const eventTime: Array<[InternalTimer<undefined>, number]> = [];
    const processingTime: Array<[InternalTimer<undefined>, number]> = [];
    for (const [g, entries] of parts) {
      if (!owned(g)) continue;
      for (const [field, value] of entries) {
        if (value === TOMBSTONE) continue;
        const f = this.decode(field, 'field');
        if (!Array.isArray(f) || f.length !== 3 || (f[0] !== 's' && f[0] !== 'e' && f[0] !== 'p')) this.corrupt(`field ${describeValue(field)} is not a state entry or a timer`);
        const [tag, a, b] = f as [string, unknown, unknown];
        if (tag === 's') {
          if (typeof a !== 'string') this.corrupt(`state name ${describeValue(a)} is not a string`);
          const key = this.key(b);
          const v = this.decode(value, 'value');
          if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !KINDS.has(v[0])) this.corrupt(`the value of state "${a}" for key ${describeValue(key)} is not a [kind, data] pair`);
          const kind = v[0] as StateKind;
          checkData(this, kind, v[1], a);
          if (keyed === undefined) this.corrupt(`it holds keyed state ("${a}"), which this operator does not keep; is the uid another operator's?`);
          let s = states[a as string];
          if (s === undefined) states[a as string] = s = { kind, entries: [] as StateSnapshotEntry[] };
          else if (s.kind !== kind) this.corrupt(`state "${a}" is both ${s.kind} and ${kind} state`);
          s.entries.push({ keyGroup: g, key, data: v[1] });
          this.stateNames.add(a as string);
        } else {
          const key = this.key(a);
          if (typeof b !== 'number' || !Number.isFinite(b)) this.corrupt(`timer time ${describeValue(b)} is not a finite number`);
          if (timers === undefined) this.corrupt('it holds timers, which this operator does not keep; is the uid another operator\'s?');
          const rank = Number(value);
          if (!Number.isSafeInteger(rank) || rank < 1) this.corrupt(`timer rank ${describeValue(value)} is not a positive integer`);
          (tag === 'e' ? eventTime : processingTime).push([{ key, namespace: undefined, time: b as Timestamp }, rank]);
          let fields = this.lastTimers.get(g);
          if (fields === undefined) this.lastTimers.set(g, (fields = new Map()));
          fields.set(field, rank);
          if (rank > this.rank) this.rank = rank;
        }
      }
    }
    keyed?.restore({ states });
    if (timers !== undefined && (eventTime.length > 0 || processingTime.length > 0)) {
      const inOrder = (list: Array<[InternalTimer<undefined>, number]>): InternalTimer<undefined>[] => list.sort((x, y) => x[0].time - y[0].time || x[1] - y[1]).map(([t]) => t);
      timers.restore({ eventTime: inOrder(eventTime), processingTime: inOrder(processingTime) });
    }
  }

  private decode(text: string, what: string): unknown {
    try {
      return defaultStateSerializer.deserialize(text);
    } catch (err) {
      return this.corrupt(`a ${what} is unreadable (${(err as Error).message})`);
    }
  }

  private key(k: unknown): Key {
    try {
      validateKey(this.origin, k);
    } catch {
      this.corrupt(`${describeValue(k)} is not a key`);
    }
    return k as Key;
  }

  /** @throws {@link CheckpointError} naming the uid and what is wrong. */
  corrupt(what: string): never {
    throw new CheckpointError(
      this.origin,
      `the state restored under uid "${this.origin.uid ?? ''}" is corrupt or not this operator's: ${what}; restore another checkpoint or savepoint, or give this operator a new uid and drop the old state with allowNonRestoredState: true`,
    );
  }
}

function stateField(name: string, key: Key): string {
  return defaultStateSerializer.serialize(['s', name, key]);
}

function timerField(domain: 'e' | 'p', key: Key, time: Timestamp): string {
  return defaultStateSerializer.serialize([domain, key, time]);
}

/** Checks the shape of restored entry data for its kind (the heap backend copies it as it is). */
function checkData(parts: ProcessStateParts, kind: StateKind, data: unknown, name: string): void {
  const stamped = (x: unknown): boolean => typeof x === 'object' && x !== null && 'v' in x && typeof (x as { ts?: unknown }).ts === 'number';
  const ok =
    kind === 'list'
      ? Array.isArray(data) && data.every(stamped)
      : kind === 'map'
        ? data instanceof Map && [...data.values()].every(stamped)
        : stamped(data);
  if (!ok) parts.corrupt(`the ${kind} state "${name}" has malformed data ${describeValue(data)}`);
}
