/**
 * The window operator for event-time session windows (fixed or dynamic gap) with the default trigger,
 * no evictor, and an incremental `reduce`/`aggregate` (optionally with a `process` or `apply` that
 * receives the pre-aggregated value). It gives exactly the results, timestamps, order, side outputs,
 * state and late-data handling of the general operator in `window-operator-internals.ts`, without its
 * per-key slot maps, trigger context and timer index.
 *
 * Each key holds its open sessions (usually one) with their accumulators. A new element's window
 * `[t, t + gap)` merges with every session it intersects (accumulators merged in start order, then the
 * element added), as Flink's merging window set does. Sessions wait to fire in a heap ordered by end and
 * then by when their firing time was set, which is the order in which the general operator registers,
 * and so fires, their timers; a session merged away is skipped when it comes up.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import { CheckpointError, NotKeyedError } from '../core/errors';
import { operateElements } from '../core/operate-elements';
import type { StreamElement } from '../core/stream-element';
import { type Key, MAX_WATERMARK, type Timestamp } from '../core/types';
import { mapKey } from '../keyed/key-group';
import { MinHeap } from '../time/timer-heap';
import { EventTimeSessionWindows } from './assigners/event-time-session-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import { type IdleKeyEntry, IdleKeys } from './idle-keys';
import { ALL_KEYS, hasIncrementalOptions, type IncrementalWindowSpec, IncrementalWindowEmitter } from './incremental-window-emitter';
import { deserializeWindowState, KEY_FIELD, keyField, keyOfField, type PartWriter, serializeWindowState, WindowCheckpoints } from './window-checkpoints';
import type { WindowOptions } from './window-operator-internals';
import { TimeWindow } from './windows/time-window';
import { cleanupTime, type Window } from './windows/window';

/**
 * True when `windowOperator` can use {@link incrementalSessionWindowOperator}: the built-in event-time
 * session assigner and options that suit an incremental operator (`hasIncrementalOptions`).
 */
export function isIncrementalSessionWindow<T, W extends Window>(assigner: WindowAssigner<T, W>, options: WindowOptions<T, unknown, unknown, W> | undefined): boolean {
  return assigner instanceof EventTimeSessionWindows && hasIncrementalOptions(options);
}

/** One open session of one key. A session that an element extends is updated in place. */
class Session {
  /** False once merged into another session or cleaned up (its heap entries are then skipped). */
  live = true;
  /** When its firing time was set (ties in the fire heap go in this order). */
  seq = 0;
  /** `end - 1`: when it fires (kept here so the heap compares without reaching into the window). */
  maxTimestamp: Timestamp;
  /** The fire heap's key for this session: its `maxTimestamp` and `seq` when it was pushed (it is re-pushed
   * when popped after an extension, so extending never touches the heap). */
  fireAt = 0;
  fireSeq = 0;
  inFire = false;
  /** The clean heap's key: its `cleanup` when pushed. */
  cleanAt = 0;
  inClean = false;
  constructor(
    public window: TimeWindow,
    public contents: unknown,
    readonly keyState: KeySessions,
    /** `end - 1 + allowedLateness`, or MAX_WATERMARK for never. */
    public cleanup: Timestamp,
  ) {
    this.maxTimestamp = window.end - 1;
  }
}

/** The open sessions of one key. */
class KeySessions implements IdleKeyEntry {
  readonly sessions: Session[] = [];
  /** The record count when the key lost its last session (it stays for reuse), or -1 while it has one. */
  idleSince = -1;
  constructor(
    readonly mapKey: unknown,
    readonly key: Key | undefined,
  ) {}
}

/**
 * Builds the incremental session window operator (only when {@link isIncrementalSessionWindow} holds).
 * A session's result is emitted with timestamp `end - 1` and the key.
 */
export function incrementalSessionWindowOperator<T, R>(spec: IncrementalWindowSpec<T, R>): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  const { name, origin, assigner, options, contents, lateness, keyed, metricNames } = spec;
  const cleanupOf = (w: TimeWindow): Timestamp => cleanupTime(w.end - 1, lateness);

  return operateElements<T, StreamElement<R>>({ name, options }, (destination) => {
    const emitter = new IncrementalWindowEmitter<T, R>(name, origin, options, contents, keyed, true, metricNames, destination);
    const checkpoints = new WindowCheckpoints(origin, 'incremental-session', keyed);
    /** While the operator checkpoints: the keys (map form → key) a record touched since the last checkpoint. */
    let changedKeys: Map<unknown, Key | undefined> | undefined;
    const keys = new Map<unknown, KeySessions>();
    let live = 0;
    let seq = 0;
    /** Sessions waiting to fire, by end and then by when their firing time was set. */
    const toFire = new MinHeap<Session>((a, b) => a.fireAt - b.fireAt || a.fireSeq - b.fireSeq);
    /** Sessions waiting for cleanup after their end (with an allowed lateness). */
    const toClean = new MinHeap<Session>((a, b) => a.cleanAt - b.cleanAt);

    // A key whose sessions all closed stays in `keys` for a while for reuse (its next click usually
    // comes soon); see IdleKeys.
    const idleKeys = new IdleKeys(keys);

    const pushFire = (s: Session): void => {
      s.fireAt = s.maxTimestamp;
      s.fireSeq = s.seq;
      s.inFire = true;
      toFire.push(s);
    };
    const pushClean = (s: Session): void => {
      s.cleanAt = s.cleanup;
      s.inClean = true;
      toClean.push(s);
    };
    /** Sets the firing and cleanup times of a new or extended session. */
    const schedule = (s: Session): void => {
      // the default trigger sets a firing time unless the session already ended (late data then fires it at once)
      if (s.maxTimestamp > emitter.watermark) {
        s.seq = seq++;
        if (!s.inFire) pushFire(s);
      }
      if (!s.inClean && s.cleanup !== s.maxTimestamp && s.cleanup !== MAX_WATERMARK) pushClean(s);
    };
    const open = (w: TimeWindow, contents: unknown, k: KeySessions): Session => {
      const s = new Session(w, contents, k, cleanupOf(w));
      idleKeys.markBusy(k);
      k.sessions.push(s);
      live++;
      schedule(s);
      return s;
    };
    /** Extends session `s` to `w` in place: the same as merging `w` into it, without a new session. */
    const extend = (s: Session, w: TimeWindow): void => {
      s.window = s.window.cover(w);
      s.maxTimestamp = s.window.end - 1;
      s.cleanup = cleanupOf(s.window);
      schedule(s);
    };
    const close = (s: Session): void => {
      s.live = false;
      const list = s.keyState.sessions;
      list.splice(list.indexOf(s), 1);
      live--;
      if (list.length === 0) idleKeys.markIdle(s.keyState);
    };
    const fire = (s: Session): void => emitter.emit(s.window, s.keyState.mapKey, s.keyState.key, s.contents);

    function* keysWithWindows(): Iterable<unknown> {
      for (const [mk, k] of keys) if (k.sessions.length > 0) yield mk;
    }

    /**
     * A key's open sessions in snapshot form: `[start, end, contents, seq]` each. A session closed by the
     * watermark since the key was last written is left out on restore (its cleanup time has passed).
     */
    const keyRecord = (k: KeySessions | undefined): string | undefined =>
      k === undefined || k.sessions.length === 0 ? undefined : serializeWindowState(k.sessions.map((x) => [x.window.start, x.window.end, x.contents, x.seq]));
    const snapshot = (full: boolean, put: PartWriter): void => {
      if (full) {
        for (const k of keys.values()) {
          const r = keyRecord(k);
          if (r !== undefined) put(k.key, keyField(k.key), r);
        }
      } else {
        for (const [mk, key] of changedKeys!) put(key, keyField(key), keyRecord(keys.get(mk)) ?? TOMBSTONE);
      }
      changedKeys?.clear();
      emitter.snapshotParts(full, put);
    };
    const restore = (fields: (read: (field: string, value: string) => void) => void, watermark: Timestamp): void => {
      emitter.watermark = watermark;
      fields((field, value) => {
        if (emitter.restoreField(field, value)) return;
        if (!field.startsWith(KEY_FIELD)) throw new CheckpointError(origin, `the restored state has a field this operator does not know (${JSON.stringify(field.slice(0, 40))}): the snapshot is corrupt`);
        const key = keyOfField(field);
        const mk = !keyed ? ALL_KEYS : typeof key === 'object' ? mapKey(key) : key;
        const k = new KeySessions(mk, keyed ? key : undefined);
        for (const [start, end, c, n] of deserializeWindowState(value) as Array<[number, number, unknown, number]>) {
          const w = new TimeWindow(start, end);
          const cleanup = cleanupOf(w);
          if (cleanup <= watermark) continue; // closed since
          const s = new Session(w, c, k, cleanup);
          s.seq = n;
          if (n >= seq) seq = n + 1;
          k.sessions.push(s);
          live++;
          if (s.maxTimestamp > watermark) pushFire(s);
          if (s.cleanup !== s.maxTimestamp && s.cleanup !== MAX_WATERMARK) pushClean(s);
        }
        if (k.sessions.length > 0) keys.set(mk, k);
      });
      emitter.finishRestore();
    };

    return {
      open(job) {
        emitter.open(job, () => live, keysWithWindows, () => keys.size, () => {
          checkpoints.open(job, restore);
          if (checkpoints.registered) {
            changedKeys = new Map();
            emitter.startChangeTracking();
          }
        });
      },
      barrier(barrier) {
        checkpoints.acknowledge(barrier, () => emitter.now(), emitter.watermark, snapshot);
        destination.next(barrier);
      },
      finalize() {
        checkpoints.close();
      },
      record(value, timestamp, key) {
        if (keyed && key === undefined) throw new NotKeyedError(origin, `${name} (a keyed window)`);
        const windows = assigner.assignWindows(value, timestamp, emitter.assignerContext);
        const watermark = emitter.watermark;
        idleKeys.record();
        const mk = !keyed ? ALL_KEYS : typeof key === 'object' ? mapKey(key) : key;
        let skipped = true;
        for (const w of windows) {
          let k = keys.get(mk);
          const list = k?.sessions;
          // the open sessions this window meets (they never meet each other): the first, and all when several
          let first: Session | undefined;
          let met: Session[] | undefined;
          if (list !== undefined) {
            for (const s of list) {
              if (!s.window.intersects(w)) continue;
              if (first === undefined) first = s;
              else (met ??= [first]).push(s);
            }
          }
          let target: Session;
          if (first === undefined) {
            if (cleanupOf(w) <= watermark) continue; // a late session of its own
            k ??= new KeySessions(mk, keyed ? key : undefined);
            if (list === undefined) keys.set(mk, k);
            target = open(w, undefined, k);
          } else if (met === undefined) {
            target = first; // one session: the window is inside it, or extends it
            if (w.start < first.window.start || w.end > first.window.end) extend(first, w);
          } else {
            met.sort((a, b) => a.window.start - b.window.start);
            let cover = w;
            let merged: unknown = undefined;
            // each session closes once merged, as the general operator removes each merged slot (the
            // same state remains if a user's merge throws part way)
            for (const s of met) {
              cover = cover.cover(s.window);
              merged = merged === undefined ? s.contents : contents.merge(merged, s.contents);
              close(s);
            }
            target = open(cover, merged, k!);
          }
          skipped = false;
          target.contents = contents.add(target.contents, value, timestamp);
          // the default trigger fires a session at once for an element within the allowed lateness
          if (target.window.end - 1 <= watermark) fire(target);
        }
        if (skipped) {
          if (timestamp !== undefined && timestamp + lateness <= watermark) emitter.late(value, timestamp, key);
        } else if (changedKeys !== undefined) changedKeys.set(mk, keyed ? key : undefined);
      },
      watermark(mark) {
        const time = mark.time;
        if (time > emitter.watermark) {
          emitter.watermark = time;
          for (let s = toFire.peek(); s !== undefined && s.fireAt <= time; s = toFire.peek()) {
            toFire.pop();
            s.inFire = false;
            if (!s.live) continue;
            if (s.fireAt !== s.maxTimestamp || s.fireSeq !== s.seq) {
              pushFire(s); // extended since it was pushed: its entry moves to the new time
              continue;
            }
            fire(s);
            // cleaned up now (no lateness, or a session ending at the largest timestamp), later, or never
            if (s.cleanup === s.maxTimestamp) close(s);
          }
          for (let s = toClean.peek(); s !== undefined && s.cleanAt <= time; s = toClean.peek()) {
            toClean.pop();
            s.inClean = false;
            if (!s.live) continue;
            if (s.cleanAt !== s.cleanup) pushClean(s); // extended since
            else close(s);
          }
          idleKeys.sweep(time >= MAX_WATERMARK);
        }
        destination.next(mark);
      },
      close() {
        emitter.close();
      },
    };
  });
}
