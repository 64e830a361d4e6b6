/**
 * The per-window and per-key state stores a process window function reads through its context,
 * kept as a name → value map that the operator creates on first write and drops when emptied.
 * @module
 */
import type { WindowStateStore, WindowValueState } from './window-functions';

/**
 * A store over a map: `peek()` returns it if it exists, `get()` creates it (writes only), and `drop()`
 * forgets it once it is empty, so reading or clearing never leaves state behind.
 */
export function mapStore(peek: () => Map<string, unknown> | undefined, get: () => Map<string, unknown>, drop: () => void): WindowStateStore {
  return {
    getState<S>(name: string): WindowValueState<S> {
      return {
        value: () => peek()?.get(name) as S | undefined,
        update: (v: S) => void get().set(name, v),
        clear: () => {
          const m = peek();
          if (m === undefined) return;
          m.delete(name);
          if (m.size === 0) drop();
        },
      };
    },
  };
}
