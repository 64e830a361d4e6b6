import { invalidTimestamp, isTimestamp } from './check-timestamp';
import { ElementKind, isElementOf, StreamElementBase } from './stream-element';
import type { Key, Timestamp } from './types';

/**
 * A record: a value with its event timestamp (absent when it has none) and its key (after `keyBy`; `K`
 * is its type).
 * Records are immutable once emitted: an operator never mutates one it received, since a shared stream
 * hands the same object to every branch.
 *
 * The timestamp is checked here, where every record is built: NaN, ±Infinity, a string or a number
 * beyond ±`Number.MAX_SAFE_INTEGER` throws an `InvalidTimestampError`, so a bad timestamp can never
 * reach a window, a join or a timer.
 *
 * @example
 * ```ts
 * new StreamRecord({ user: 'ann' }, 1_000) // a click at t = 1 s
 * ```
 * @throws InvalidTimestampError when the timestamp is neither `undefined` nor a valid timestamp.
 */
export class StreamRecord<T, K = Key> extends StreamElementBase {
  readonly kind = ElementKind.Record;
  /** True for StreamRecord elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is StreamRecord<unknown> {
    return isElementOf(this, StreamRecord, ElementKind.Record, x);
  }
  constructor(
    /** The user's value. */
    readonly value: T,
    /** Event time in ms, or `undefined` when the record has none. */
    readonly timestamp: Timestamp | undefined = undefined,
    /** The key set by `keyBy`, or `undefined` on a non-keyed stream. */
    readonly key: K | undefined = undefined,
  ) {
    super();
    if (timestamp !== undefined && !isTimestamp(timestamp)) throw badRecordTimestamp(timestamp);
  }
}

function badRecordTimestamp(timestamp: unknown): Error {
  return invalidTimestamp(
    { operator: 'StreamRecord' },
    timestamp,
    'a record\'s timestamp must be a finite number of milliseconds within ±Number.MAX_SAFE_INTEGER, or undefined for none',
  );
}

/** Builds the element for a value: a plain value when it has neither timestamp nor key, else a record. */
export function toElement<T>(value: T, timestamp: Timestamp | undefined, key: Key | undefined): T | StreamRecord<T> {
  return timestamp === undefined && key === undefined && !(value instanceof StreamElementBase)
    ? value
    : new StreamRecord(value, timestamp, key);
}
