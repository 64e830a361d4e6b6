/**
 * The checkpoint side every window operator shares (the general one and the specialised incremental
 * ones): registers the operator's uid with the job's coordinator when it opens, checks and hands over
 * the state restored under that uid (this subtask's key groups only), and acknowledges each barrier with
 * keyed parts per key group: whole at a full barrier, else only the keys changed since the previous
 * checkpoint, with tombstones for the keys that lost their state. windowAll (no key) writes its state as
 * operator state, whole at every barrier.
 *
 * Field layout of the parts (values are written with the default state serializer):
 * - `k` + serialized key: the key's windows, as the operator writes them (contents, trigger state,
 *   timers with their registration numbers, merged sessions...);
 * - `g` + serialized `[state name, key]`: a process window function's keyed (global) state entry;
 * - `w` + serialized `[state name, key, window id]`: its per-window state entry;
 * - operator fields `@kind` (which operator wrote the state, and its format version) and `@wm:<subtask>`
 *   (the operator's watermark, so lateness continues where it was).
 * @module
 */
import type { OperatorSnapshot, RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, type ErrorOrigin } from '../core/errors';
import type { JobContext } from '../core/start-element';
import { type Key, MIN_WATERMARK, type Timestamp } from '../core/types';
import { keyGroupOf, subtaskForKeyGroup } from '../keyed/key-group';
import type { HeapKeyedStateBackend, KeyedStateSnapshot } from '../state/heap/heap-keyed-state-backend';
import { noPrototype } from '../state/operator-state';
import { defaultStateSerializer } from '../state/serializer';
import { GlobalWindow } from './windows/global-window';
import { TimeWindow } from './windows/time-window';
import type { Window } from './windows/window';

/** Which window operator wrote a state; a restore into another kind is refused. */
export type WindowStateKind = 'general' | 'incremental-time' | 'incremental-session';

const KIND_FIELD = '@kind';
const WATERMARK_FIELD = '@wm:';
const FORMAT = 1;
/** Field prefixes: a key's windows, a process function's keyed state, its per-window state. */
export const KEY_FIELD = 'k';
export const GLOBAL_FIELD = 'g';
export const WINDOW_STATE_FIELD = 'w';

const ser = (v: unknown): string => defaultStateSerializer.serialize(v);
const de = (s: string): unknown => defaultStateSerializer.deserialize(s);

/** A window in snapshot form: `[start, end]` for a time window, `0` for the global window. */
export type WindowData = readonly [number, number] | 0;

/** Writes a window (a time window or the global window; other windows cannot be checkpointed). */
export function windowData(origin: ErrorOrigin, w: Window): WindowData {
  if (w instanceof TimeWindow) return [w.start, w.end];
  if (w === GlobalWindow.INSTANCE) return 0;
  throw new CheckpointError(origin, `window ${String(w)} is neither a TimeWindow nor the GlobalWindow: only those can be checkpointed`);
}

/** Reads a window written by {@link windowData}. */
export function windowOf(origin: ErrorOrigin, d: unknown): Window {
  if (d === 0) return GlobalWindow.INSTANCE;
  if (Array.isArray(d) && d.length === 2 && typeof d[0] === 'number' && typeof d[1] === 'number') return new TimeWindow(d[0], d[1]);
  throw new CheckpointError(origin, `the restored state holds a window that is not one (${JSON.stringify(d)}): the snapshot is corrupt`);
}

/** Where a snapshot puts its fields: per key group of `key` (keyed), or into the operator state (windowAll). */
export type PartWriter = (key: Key | undefined, field: string, value: string) => void;

/** One restored field (of this subtask's key groups, or windowAll's operator state). */
export type PartReader = (field: string, value: string) => void;

/** The restored parts as the coordinator gives them, or as a test harness hands over an acknowledged snapshot. */
function asRestoredParts(found: unknown): RestoredParts | undefined {
  if (typeof found !== 'object' || found === null || (found as { parts?: unknown }).parts !== true) return undefined;
  const r = found as { keyed?: ReadonlyMap<number, unknown>; operator?: unknown };
  const toMap = (x: unknown): ReadonlyMap<string, string> => (x instanceof Map ? (x as Map<string, string>) : new Map((x as Array<[string, string]> | undefined) ?? []));
  const keyed = new Map<number, ReadonlyMap<string, string>>();
  if (r.keyed instanceof Map) for (const [g, entries] of r.keyed) keyed.set(g as number, toMap(entries));
  return { parts: true, checkpointId: (found as { checkpointId?: number }).checkpointId ?? 0, keyed, operator: toMap(r.operator) };
}

/**
 * What one window operator instance does with checkpoints. Change tracking is the operator's (it knows
 * which keys a record or a timer touches); this class does the rest. @internal
 */
export class WindowCheckpoints {
  private unregister: (() => void) | undefined;
  /** The uid the operator registered under (undefined: the job does not checkpoint). */
  uid: string | undefined;
  private maxParallelism = 128;
  private subtask = 0;

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly kind: WindowStateKind,
    private readonly keyed: boolean,
  ) {}

  /** True when the operator takes part in checkpoints (and so tracks changed keys). */
  get registered(): boolean {
    return this.uid !== undefined;
  }

  /**
   * Registers with the job's coordinator (when the job checkpoints) and hands the fields of this
   * subtask's restored state to `restore`, with the restored watermark (MIN_WATERMARK when nothing was
   * restored, in which case `restore` is not called).
   * @throws CheckpointError when the job checkpoints and the operator has no uid, when another operator
   *   has the uid, or when the state under the uid was written by another kind of operator.
   */
  open(job: JobContext | undefined, restore: (fields: (read: PartReader) => void, watermark: Timestamp) => void): void {
    const coordinator = job?.checkpoints;
    const uid = this.origin.uid;
    if (coordinator !== undefined) {
      if (uid === undefined) {
        throw new CheckpointError(this.origin, `job "${job!.jobName}" checkpoints, so this stateful operator needs a uid to store its state under: add { uid: '...' } to its options`);
      }
      try {
        this.unregister = coordinator.register(uid);
      } catch (err) {
        throw new CheckpointError(this.origin, (err as Error).message, { cause: err });
      }
      this.uid = uid;
    }
    this.maxParallelism = job?.maxParallelism ?? 128;
    this.subtask = job?.subtaskIndex ?? 0;
    const found = uid === undefined ? undefined : job?.restoredState?.get(uid);
    if (found === undefined) return;
    const parts = asRestoredParts(found);
    const written = parts?.operator.get(KIND_FIELD);
    const expected = `window/${this.kind}/${FORMAT}`;
    if (parts === undefined || written === undefined) {
      throw new CheckpointError(this.origin, `the state restored under uid "${uid}" was not written by a window operator; give this operator another uid (or start the job without that state)`);
    }
    if (written !== expected) {
      throw new CheckpointError(
        this.origin,
        `the state restored under uid "${uid}" was written by another kind of window operator ("${written}", this one is "${expected}": its trigger, evictor or window functions changed); give this operator another uid (or start the job without that state)`,
      );
    }
    // the smallest watermark of the former subtasks: no window is taken for late that was not
    let watermark = Infinity;
    for (const [f, v] of parts.operator) if (f.startsWith(WATERMARK_FIELD)) watermark = Math.min(watermark, Number(de(v)));
    if (!Number.isFinite(watermark)) watermark = MIN_WATERMARK;
    const parallelism = job?.parallelism ?? 1;
    const { maxParallelism, subtask } = this;
    restore((read) => {
      if (!this.keyed) {
        for (const [f, v] of parts.operator) if (!f.startsWith('@')) read(f, v);
        return;
      }
      for (const [g, entries] of parts.keyed) {
        if (subtaskForKeyGroup(g, maxParallelism, parallelism) !== subtask) continue;
        for (const [f, v] of entries) read(f, v);
      }
    }, watermark);
  }

  /**
   * Acknowledges `barrier` (when the operator has a uid and the barrier asks): `snapshot(full, put)`
   * writes the state, whole when `full`, else what changed; windowAll, and an operator that does not
   * track changes (no coordinator), always write it whole.
   */
  acknowledge(barrier: CheckpointBarrier, now: () => Timestamp, watermark: Timestamp, snapshot: (full: boolean, put: PartWriter) => void): void {
    // a barrier with an acknowledger outside a checkpointing job (a test harness) gets a full snapshot
    const uid = this.uid ?? this.origin.uid;
    if (uid === undefined || barrier.acknowledger === undefined) return;
    const start = now();
    const full = barrier.full || !this.keyed || this.uid === undefined;
    const operator: Array<[string, string]> = [
      [KIND_FIELD, `window/${this.kind}/${FORMAT}`],
      [`${WATERMARK_FIELD}${this.subtask}`, ser(watermark)],
    ];
    const keyed = new Map<number, Array<[string, string]>>();
    const maxParallelism = this.maxParallelism;
    const put: PartWriter = this.keyed
      ? (key, field, value) => {
          const g = keyGroupOf(key!, maxParallelism);
          let list = keyed.get(g);
          if (list === undefined) keyed.set(g, (list = []));
          list.push([field, value]);
        }
      : (_key, field, value) => void operator.push([field, value]);
    snapshot(full, put);
    const result: OperatorSnapshot = { parts: true, operator, keyed, incremental: !full, syncMillis: now() - start };
    barrier.acknowledger.acknowledge(uid, result);
  }

  close(): void {
    this.unregister?.();
    this.unregister = undefined;
  }
}

/** The field of a key's windows. */
export function keyField(key: Key | undefined): string {
  return KEY_FIELD + ser(key ?? null);
}

/** The key a `k` field names (`undefined` for windowAll's). */
export function keyOfField(field: string): Key | undefined {
  const k = de(field.slice(KEY_FIELD.length));
  return k === null ? undefined : (k as Key);
}

export { ser as serializeWindowState, de as deserializeWindowState };

/**
 * Writes a keyed-state backend as fields: `prefix` + `[name, ...key parts]` → `[kind, data]`, whole or
 * its changes since the last call (tombstones for removed entries). `ownerOf` gives the user key an
 * entry's key belongs to (its key group).
 */
export function backendParts(backend: HeapKeyedStateBackend, full: boolean, prefix: string, ownerOf: (k: Key) => Key | undefined, put: PartWriter): void {
  const fieldOf = (name: string, k: Key): string => prefix + ser(Array.isArray(k) && prefix === WINDOW_STATE_FIELD ? [name, ...k] : [name, k]);
  if (full) {
    const snap = backend.snapshot();
    for (const name of Object.keys(snap.states)) {
      const s = snap.states[name]!;
      for (const e of s.entries) put(ownerOf(e.key), fieldOf(name, e.key), ser([s.kind, e.data]));
    }
    if (backend.isTrackingChanges()) backend.startChangeTracking();
    return;
  }
  const changes = backend.snapshotChanges();
  for (const name of Object.keys(changes.states)) {
    const s = changes.states[name]!;
    for (const c of s.keyGroups.values()) {
      for (const k of c.removed) put(ownerOf(k), fieldOf(name, k), TOMBSTONE);
      for (const e of c.updated) put(ownerOf(e.key), fieldOf(name, e.key), ser([s.kind, e.data]));
    }
  }
}

/** Collects restored backend fields (`prefix` + ...) into a snapshot for `HeapKeyedStateBackend.restore`. */
export class BackendRestore {
  private readonly states = noPrototype<KeyedStateSnapshot['states'][string]>();
  private count = 0;
  constructor(private readonly prefix: string) {}

  /** Takes the field when it is one of this backend's; true when it was. */
  take(field: string, value: string): boolean {
    if (!field.startsWith(this.prefix)) return false;
    const parts = de(field.slice(this.prefix.length)) as unknown[];
    const name = parts[0] as string;
    const key = (this.prefix === WINDOW_STATE_FIELD ? parts.slice(1) : parts[1]) as Key;
    const [kind, data] = de(value) as [KeyedStateSnapshot['states'][string]['kind'], unknown];
    let s = this.states[name];
    if (s === undefined) this.states[name] = s = { kind, entries: [] };
    s.entries.push({ keyGroup: 0, key, data });
    this.count++;
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Restores what was taken into `backend`. */
  into(backend: HeapKeyedStateBackend): void {
    if (this.count > 0) backend.restore({ states: this.states });
  }
}
