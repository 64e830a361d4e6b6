/**
 * The window operator for the most common window: tumbling or sliding event-time windows with the
 * default trigger, no evictor, and an incremental `reduce`/`aggregate` (optionally with a `process` or
 * `apply` that receives the pre-aggregated value). It gives exactly the results, timestamps, order,
 * side outputs, state and late-data handling of the general operator in `window-operator-internals.ts`,
 * with state laid out by window instead of by key.
 *
 * Every key of a window fires at the same watermark (`end - 1`) and is cleaned at the same time
 * (`end - 1 + allowedLateness`), so the operator keeps one table per live window, mapping each key to
 * its accumulator, and a queue of those tables in end order: no timer per key and window, and one map
 * lookup per record and window. Keys fire in the order they first entered the window, the order in
 * which the general operator registers, and so fires, their timers.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import { CheckpointError, NotKeyedError } from '../core/errors';
import { operateElements } from '../core/operate-elements';
import type { StreamElement } from '../core/stream-element';
import { type Key, MAX_WATERMARK, type Timestamp } from '../core/types';
import { mapKey } from '../keyed/key-group';
import { SlidingEventTimeWindows } from './assigners/sliding-event-time-windows';
import { TumblingEventTimeWindows } from './assigners/tumbling-event-time-windows';
import type { WindowAssigner } from './assigners/window-assigner';
import { ALL_KEYS, hasIncrementalOptions, type IncrementalWindowSpec, IncrementalWindowEmitter } from './incremental-window-emitter';
import { deserializeWindowState, KEY_FIELD, keyField, keyOfField, type PartWriter, serializeWindowState, WindowCheckpoints } from './window-checkpoints';
import type { WindowOptions } from './window-operator-internals';
import { TimeWindow } from './windows/time-window';
import { cleanupTime, type Window } from './windows/window';

/**
 * True when `windowOperator` can use {@link incrementalEventWindowOperator}: a built-in tumbling or
 * sliding event-time assigner and options that suit an incremental operator (`hasIncrementalOptions`).
 */
export function isIncrementalEventWindow<T, W extends Window>(assigner: WindowAssigner<T, W>, options: WindowOptions<T, unknown, unknown, W> | undefined): boolean {
  return (assigner instanceof TumblingEventTimeWindows || assigner instanceof SlidingEventTimeWindows) && hasIncrementalOptions(options);
}

/** One live window: its key → accumulator table, in the order keys entered it. */
class WindowTable {
  readonly start: Timestamp;
  readonly maxTimestamp: Timestamp;
  /** Map key (see `mapKey`) → accumulator. */
  readonly accumulators = new Map<unknown, unknown>();
  /** Map key → the key itself, for array keys only. */
  arrayKeys: Map<unknown, Key> | undefined = undefined;
  /** Map key → when it entered the window (only while the operator checkpoints: keys fire in this order). */
  seqs: Map<unknown, number> | undefined = undefined;
  constructor(
    readonly window: TimeWindow,
    /** When the table is dropped: `maxTimestamp + allowedLateness`, or MAX_WATERMARK for never. */
    readonly cleanup: Timestamp,
  ) {
    this.start = window.start;
    this.maxTimestamp = window.end - 1;
  }
}

/** A queue of tables sorted by start (and so by end and cleanup time: all windows have one size). */
class TableQueue {
  private items: WindowTable[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  peek(): WindowTable | undefined {
    return this.items[this.head];
  }
  shift(): WindowTable {
    const items = this.items;
    const t = items[this.head]!;
    // clear the slot, so a fired or dropped table is not kept alive until the array is compacted
    items[this.head++] = undefined as unknown as WindowTable;
    if (this.head === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return t;
  }
  /** Inserts in start order; new windows are almost always the latest, so the scan is short. */
  insert(t: WindowTable): void {
    const items = this.items;
    let i = items.length;
    while (i > this.head && items[i - 1]!.start > t.start) i--;
    if (i === items.length) items.push(t);
    else items.splice(i, 0, t);
  }
}

/**
 * Builds the incremental event-time window operator (only when {@link isIncrementalEventWindow} holds).
 * A window's result is `contents.result(accumulator)`, or what the `process`/`apply` function collects
 * from it, emitted with timestamp `end - 1` and the key.
 */
export function incrementalEventWindowOperator<T, R>(spec: IncrementalWindowSpec<T, R>): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  const { name, origin, assigner, options, contents, lateness, keyed, metricNames } = spec;
  const add = contents.add;
  const cleanupOf = (maxTimestamp: Timestamp): Timestamp => cleanupTime(maxTimestamp, lateness);

  return operateElements<T, StreamElement<R>>({ name, options }, (destination) => {
    const emitter = new IncrementalWindowEmitter<T, R>(name, origin, options, contents, keyed, false, metricNames, destination);
    const checkpoints = new WindowCheckpoints(origin, 'incremental-time', keyed);
    /** While the operator checkpoints: the keys (map form → key) changed since the last checkpoint. */
    let changedKeys: Map<unknown, Key | undefined> | undefined;
    /** The next number for a key entering a window (while the operator checkpoints). */
    let entrySeq = 0;
    const tables = new Map<Timestamp, WindowTable>();
    /** Tables not fired yet, in end order. */
    const pending = new TableQueue();
    /** Fired tables waiting for the watermark to pass their cleanup time, in cleanup order. */
    const firedTables = new TableQueue();
    // The tables of the last window array the assigner returned: the built-in assigners return the
    // same immutable array while timestamps stay in one window (or slide), and a table can only be
    // dropped once its window is late, which the loop below checks before it uses the table.
    let lastWindows: readonly TimeWindow[] | undefined;
    let lastTables: (WindowTable | undefined)[] = [];

    const emitOne = (t: WindowTable, mk: unknown, acc: unknown): void => {
      emitter.emit(t.window, mk, keyed ? (t.arrayKeys?.get(mk) ?? (mk as Key)) : undefined, acc);
    };
    const tableOf = (w: TimeWindow): WindowTable => {
      let t = tables.get(w.start);
      if (t === undefined) {
        t = new WindowTable(w, cleanupOf(w.end - 1));
        tables.set(w.start, t);
        if (t.maxTimestamp <= emitter.watermark) {
          // a window born after its end (late data within the allowed lateness) waits only for cleanup
          if (t.cleanup !== MAX_WATERMARK) firedTables.insert(t);
        } else {
          pending.insert(t);
        }
      }
      return t;
    };
    const windowCount = (): number => {
      let n = 0;
      for (const t of tables.values()) n += t.accumulators.size;
      return n;
    };
    function* keysWithWindows(): Iterable<unknown> {
      for (const t of tables.values()) yield* t.accumulators.keys();
    }

    /** A key's windows in snapshot form: `[start, end, accumulator, entry number]` per window holding it. */
    const keyRecord = (mk: unknown): unknown[] => {
      const list: unknown[] = [];
      for (const t of tables.values()) {
        const acc = t.accumulators.get(mk);
        if (acc !== undefined) list.push([t.window.start, t.window.end, acc, t.seqs?.get(mk) ?? 0]);
      }
      return list;
    };
    const snapshot = (full: boolean, put: PartWriter): void => {
      if (full) {
        const byKey = new Map<unknown, unknown[]>();
        for (const t of tables.values()) {
          for (const [mk, acc] of t.accumulators) {
            let list = byKey.get(mk);
            if (list === undefined) byKey.set(mk, (list = []));
            list.push([t.window.start, t.window.end, acc, t.seqs?.get(mk) ?? 0]);
          }
        }
        for (const [mk, list] of byKey) {
          const key = keyed ? (arrayKeyOf(mk) ?? (mk as Key)) : undefined;
          put(key, keyField(key), serializeWindowState(list));
        }
      } else {
        for (const [mk, key] of changedKeys!) {
          const list = keyRecord(mk);
          put(key, keyField(key), list.length === 0 ? TOMBSTONE : serializeWindowState(list));
        }
      }
      changedKeys?.clear();
      emitter.snapshotParts(full, put);
    };
    const arrayKeyOf = (mk: unknown): Key | undefined => {
      if (typeof mk !== 'string') return undefined;
      for (const t of tables.values()) {
        const k = t.arrayKeys?.get(mk);
        if (k !== undefined) return k;
      }
      return undefined;
    };
    const restore = (fields: (read: (field: string, value: string) => void) => void, watermark: Timestamp): void => {
      emitter.watermark = watermark;
      const entries = new Map<Timestamp, Array<{ end: Timestamp; mk: unknown; key: Key | undefined; acc: unknown; seq: number }>>();
      fields((field, value) => {
        if (emitter.restoreField(field, value)) return;
        if (!field.startsWith(KEY_FIELD)) throw new CheckpointError(origin, `the restored state has a field this operator does not know (${JSON.stringify(field.slice(0, 40))}): the snapshot is corrupt`);
        const key = keyOfField(field);
        const mk = !keyed ? ALL_KEYS : typeof key === 'object' ? mapKey(key) : key;
        for (const [start, end, acc, seq] of deserializeWindowState(value) as Array<[number, number, unknown, number]>) {
          // a window cleaned up since the key was last written
          if (cleanupOf(end - 1) <= watermark) continue;
          let list = entries.get(start);
          if (list === undefined) entries.set(start, (list = []));
          list.push({ end, mk, key, acc, seq });
          if (seq >= entrySeq) entrySeq = seq + 1;
        }
      });
      for (const [start, list] of [...entries].sort((a, b) => a[0] - b[0])) {
        const t = tableOf(new TimeWindow(start, list[0]!.end));
        list.sort((a, b) => a.seq - b.seq);
        for (const e of list) {
          t.accumulators.set(e.mk, e.acc);
          if (keyed && typeof e.key === 'object') (t.arrayKeys ??= new Map()).set(e.mk, e.key);
          if (checkpoints.registered) (t.seqs ??= new Map()).set(e.mk, e.seq);
        }
      }
      emitter.finishRestore();
    };

    return {
      open(job) {
        emitter.open(job, windowCount, keysWithWindows, undefined, () => {
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
        if (windows !== lastWindows) {
          lastWindows = windows;
          lastTables = new Array<WindowTable | undefined>(windows.length);
        }
        const watermark = emitter.watermark;
        const mk = !keyed ? ALL_KEYS : typeof key === 'object' ? mapKey(key) : key;
        let skipped = true;
        for (let i = 0; i < windows.length; i++) {
          const w = windows[i]!;
          const maxTimestamp = w.end - 1;
          if (cleanupOf(maxTimestamp) <= watermark) continue; // too late for this window
          skipped = false;
          let t = lastTables[i];
          if (t === undefined) lastTables[i] = t = tableOf(w);
          const accs = t.accumulators;
          const before = accs.get(mk);
          const acc = add(before, value, timestamp);
          if (acc !== before) accs.set(mk, acc);
          if (before === undefined) {
            if (keyed && typeof key === 'object') (t.arrayKeys ??= new Map()).set(mk, key);
            if (changedKeys !== undefined) (t.seqs ??= new Map()).set(mk, entrySeq++);
          }
          // the default trigger fires a window at once for an element within the allowed lateness
          if (maxTimestamp <= watermark) emitOne(t, mk, acc);
        }
        if (skipped) {
          if (timestamp !== undefined && timestamp + lateness <= watermark) emitter.late(value, timestamp, key);
        } else if (changedKeys !== undefined) changedKeys.set(mk, keyed ? key : undefined);
      },
      watermark(mark) {
        const time = mark.time;
        if (time > emitter.watermark) {
          emitter.watermark = time;
          while (pending.length > 0 && pending.peek()!.maxTimestamp <= time) {
            const t = pending.shift();
            for (const [mk, acc] of t.accumulators) emitOne(t, mk, acc);
            // cleaned up now (no lateness, or a window ending at the largest timestamp), later, or never
            if (t.cleanup === t.maxTimestamp || t.cleanup !== MAX_WATERMARK) firedTables.insert(t);
          }
          if (firedTables.length > 0 && firedTables.peek()!.cleanup <= time) {
            // forget the tables cached for the last window array, which may hold a dropped one
            lastWindows = undefined;
            lastTables = [];
            do {
              const t = firedTables.shift();
              tables.delete(t.start);
              for (const mk of t.accumulators.keys()) emitter.clearWindow(mk, t.arrayKeys?.get(mk) ?? (mk as Key), t.window);
            } while (firedTables.length > 0 && firedTables.peek()!.cleanup <= time);
          }
        }
        destination.next(mark);
      },
      close() {
        emitter.close();
      },
    };
  });
}
