/**
 * The state a process window function reaches through its context: `windowState()` (per key and
 * window) and `globalState()` (per key), both heap keyed-state backends. The per-window backend is keyed
 * by `[key, window]` and created on first use, so windows that never touch it pay nothing; the global one
 * is the operator's keyed backend (shared with the runtime context) or, for windowAll, a private one.
 * @module
 */
import { type ErrorOrigin, StateError } from '../../core/errors';
import type { Key, Timestamp } from '../../core/types';
import { ValueStateDescriptor } from '../../state/descriptors/value-state-descriptor';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend';
import { BackendRestore, backendParts, GLOBAL_FIELD, type PartWriter, WINDOW_STATE_FIELD } from '../window-checkpoints';
import type { WindowStateStore } from './window-functions';

/** A {@link WindowStateStore} over a backend, with `getState(name)` as a value state of that name. */
function storeOver(backend: () => HeapKeyedStateBackend): WindowStateStore {
  const byName = new Map<string, ValueStateDescriptor<unknown>>();
  return {
    getState: (d: ValueStateDescriptor<never> | string) => {
      if (typeof d !== 'string') return backend().getState(d);
      let named = byName.get(d);
      if (named === undefined) byName.set(d, (named = new ValueStateDescriptor<unknown>(d)));
      return backend().getState(named);
    },
    getListState: (d) => backend().getListState(d),
    getMapState: (d) => backend().getMapState(d),
    getReducingState: (d) => backend().getReducingState(d),
    getAggregatingState: (d) => backend().getAggregatingState(d),
  } as WindowStateStore;
}

/** The window and global state of one window operator; `enter` selects the (key, window) they act on. */
export class ProcessWindowState {
  private perWindow: HeapKeyedStateBackend | undefined;
  private readonly global: HeapKeyedStateBackend;
  /** The key the stores act on: the user key, or the map form of windowAll's single key. */
  private keyNow: unknown;
  private windowNow: string | number = 0;
  /** Whether changes are recorded for incremental checkpoints. */
  private tracking = false;
  /** The per-window store (per key and window). */
  readonly windowStore: WindowStateStore;
  /** The per-key store. */
  readonly globalStore: WindowStateStore;

  /**
   * @param shared the operator's keyed backend (keyed windows), whose current key the operator sets;
   *   without it (windowAll) a private backend holds the global state under one key.
   * @param merging true for session windows, which refuse per-window state.
   */
  constructor(
    private readonly origin: ErrorOrigin,
    private readonly now: () => Timestamp,
    private readonly shared: HeapKeyedStateBackend | undefined,
    private readonly merging: boolean,
  ) {
    this.global = shared ?? new HeapKeyedStateBackend(origin, now);
    this.windowStore = storeOver(() => this.windowBackend());
    this.globalStore = storeOver(() => this.global);
  }

  private windowBackend(): HeapKeyedStateBackend {
    if (this.merging) {
      throw new StateError(this.origin, 'per-window state (windowState()) is not available on merging (session) windows, as in Flink: keep it in globalState() or in the window aggregate');
    }
    if (this.perWindow === undefined) {
      this.perWindow = new HeapKeyedStateBackend(this.origin, this.now);
      if (this.tracking) this.perWindow.startChangeTracking();
      this.perWindow.setCurrentKey([this.keyNow as Key, this.windowNow] as Key);
    }
    return this.perWindow;
  }

  /**
   * Points both stores at `key` (its map form `mapKey`) and window `windowId`; call before the function
   * runs. A keyed operator sets the shared backend's key itself.
   */
  enter(mapKey: unknown, key: Key | undefined, windowId: string | number): void {
    const k = key ?? mapKey;
    this.keyNow = k;
    this.windowNow = windowId;
    this.perWindow?.setCurrentKey([k as Key, windowId] as Key);
    if (this.shared === undefined) this.global.setCurrentKey(k as Key);
  }

  /** Drops the per-window state of (key, window) once the window is cleaned up. */
  clearWindow(mapKey: unknown, key: Key | undefined, windowId: string | number): void {
    if (this.perWindow === undefined) return;
    this.perWindow.setCurrentKey([(key ?? mapKey) as Key, windowId] as Key);
    this.perWindow.clearCurrentKey();
  }

  /** Starts recording changes for incremental checkpoints (after a restore). */
  startChangeTracking(): void {
    this.tracking = true;
    this.global.startChangeTracking();
    this.perWindow?.startChangeTracking();
  }

  /**
   * Writes the keyed and per-window state as checkpoint fields (see `window-checkpoints.ts`): whole, or
   * the entries changed since the last call. A keyed operator's shared backend is written here too.
   */
  snapshotParts(full: boolean, put: PartWriter): void {
    backendParts(this.global, full, GLOBAL_FIELD, (k) => (this.shared === undefined ? undefined : k), put);
    if (this.perWindow !== undefined) backendParts(this.perWindow, full, WINDOW_STATE_FIELD, (k) => (this.shared === undefined ? undefined : ((k as Key[])[0] as Key)), put);
  }

  /** Takes a restored field when it is one of these states'; call {@link finishRestore} after the last. */
  restoreField(field: string, value: string): boolean {
    return this.restoredGlobal.take(field, value) || this.restoredWindows.take(field, value);
  }
  private readonly restoredGlobal = new BackendRestore(GLOBAL_FIELD);
  private readonly restoredWindows = new BackendRestore(WINDOW_STATE_FIELD);

  /** Restores the fields taken by {@link restoreField}. */
  finishRestore(): void {
    this.restoredGlobal.into(this.global);
    if (this.restoredWindows.size > 0) {
      this.perWindow ??= new HeapKeyedStateBackend(this.origin, this.now);
      this.restoredWindows.into(this.perWindow);
    }
  }

  /** The keys (map form) holding global state; for a keyed window, any keyed state of the operator. */
  keysWithGlobalState(): Set<unknown> {
    return this.global.mapKeysWithState();
  }
}
