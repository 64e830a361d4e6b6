/**
 * Key validation, canonical map keys and key groups (ARCHITECTURE §4).
 * @module
 */
import { type ErrorOrigin, InvalidKeyError } from '../core/errors';
import type { Key } from '../core/types';

/** Turns a user key into something else that is a valid key (e.g. an object into its id string). */
export type KeySerializer<K> = (key: K) => string;

function checkKey(origin: ErrorOrigin, key: unknown, depth: number, whole: unknown): void {
  switch (typeof key) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return;
    case 'number':
      if (Number.isNaN(key)) throw new InvalidKeyError(origin, whole, 'NaN is not a key (it equals nothing)');
      return;
    case 'object':
      if (Array.isArray(key) && depth < 8) {
        for (const part of key) checkKey(origin, part, depth + 1, whole);
        return;
      }
      break;
    default:
      break;
  }
  const kind = key === null ? 'null' : key === undefined ? 'undefined' : Array.isArray(key) ? 'a too deeply nested array' : typeof key;
  throw new InvalidKeyError(
    origin,
    whole,
    `a key must be a string, number, boolean, bigint or an array of those, not ${kind}; return a primitive from the selector or pass { keySerializer }`,
  );
}

/** Throws {@link InvalidKeyError} unless `key` is a valid key. */
export function validateKey(origin: ErrorOrigin, key: unknown): asserts key is Key {
  const t = typeof key;
  if (t === 'string' || t === 'boolean' || t === 'bigint' || (t === 'number' && !Number.isNaN(key))) return;
  checkKey(origin, key, 0, key);
}

/**
 * The canonical form of a key for a `Map`: primitives as they are, arrays as a tagged string (arrays are
 * compared by content, not identity).
 */
export function mapKey(key: Key): string | number | boolean | bigint {
  return typeof key === 'object' ? `\u0000${serializeKey(key)}` : key;
}

/** A stable string form of a key (used for hashing and for state snapshots). */
export function serializeKey(key: Key): string {
  switch (typeof key) {
    case 'string':
      return `s${key}`;
    case 'number':
      return `n${Object.is(key, -0) ? 0 : key}`;
    case 'boolean':
      return key ? 'bt' : 'bf';
    case 'bigint':
      return `i${key}`;
    default:
      return `a[${key.map((k) => JSON.stringify(serializeKey(k))).join(',')}]`;
  }
}

/** murmur3 (32-bit) over the UTF-16 code units of a string: stable across runs and platforms. */
export function murmur3(s: string, seed = 0): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The key group of a key: a stable hash of its serialized form modulo the max parallelism (default 128).
 *
 * @example
 * ```ts
 * keyGroupOf('ann', 128) // a number in [0, 128), the same on every run
 * ```
 * @see Flink's `KeyGroupRangeAssignment.assignToKeyGroup`
 */
export function keyGroupOf(key: Key, maxParallelism = 128): number {
  return murmur3(serializeKey(key)) % maxParallelism;
}

/** The subtask that owns a key group, as in Flink's `computeOperatorIndexForKeyGroup`. */
export function subtaskForKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}
