/**
 * What a valid event timestamp is, checked once where a timestamp or a timer time enters tidemark.
 * @module
 */
import { type ErrorOrigin, InvalidTimestampError } from './errors';
import { MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from './types';

/**
 * True when `x` is a valid event timestamp: a number (not NaN, not ±Infinity) within
 * ±`Number.MAX_SAFE_INTEGER`. A string such as `'1000'` is not one.
 *
 * It's like `Number.isFinite(x)`, but also refuses numbers beyond the safe-integer range, where
 * event-time arithmetic (`t + gap`, `end - 1`) would lose precision.
 *
 * @example
 * ```ts
 * isTimestamp(1_000) // true
 * isTimestamp(Number('12:00')) // false: NaN
 * ```
 */
export function isTimestamp(x: unknown): x is Timestamp {
  // NaN fails both comparisons; ±Infinity fails one
  return typeof x === 'number' && x >= MIN_WATERMARK && x <= MAX_WATERMARK;
}

/**
 * Throws an {@link InvalidTimestampError} unless `ts` is a valid event timestamp ({@link isTimestamp}).
 * tidemark checks every timestamp where it enters (records, watermarks, timestamp assigners, timers);
 * a source of your own can check its input the same way.
 *
 * It's like Flink's `Preconditions.checkArgument` on a timestamp, but throws the typed error that names
 * the operator, the bad value and what to fix.
 *
 * @example
 * ```ts
 * checkTimestamp({ operator: 'mySource' }, Number(row.ts), 'the "ts" column must hold milliseconds since the epoch');
 * ```
 * @param origin the operator to name in the error.
 * @param detail what the error says after the bad value (where the timestamp came from, how to fix it).
 * @throws InvalidTimestampError when `ts` is NaN, ±Infinity, not a number, or beyond the safe range.
 */
export function checkTimestamp(origin: ErrorOrigin, ts: unknown, detail?: string): asserts ts is Timestamp {
  if (!isTimestamp(ts)) throw invalidTimestamp(origin, ts, detail);
}

/** The error for a value that is not a valid timestamp, with a default detail that says what is wrong with it. */
export function invalidTimestamp(origin: ErrorOrigin, ts: unknown, detail?: string): InvalidTimestampError {
  return new InvalidTimestampError(origin, ts, detail ?? defaultDetail(ts));
}

function defaultDetail(ts: unknown): string {
  if (ts === undefined) return 'the record has no timestamp';
  return typeof ts === 'number' && Number.isFinite(ts)
    ? 'a timestamp must lie within ±Number.MAX_SAFE_INTEGER'
    : 'a timestamp must be a finite number of milliseconds (not NaN, ±Infinity or a string)';
}

/**
 * Throws an {@link InvalidTimestampError} unless `time` is a valid timer time; used where user code
 * registers a timer (process functions, triggers), so a NaN timer never enters a timer queue.
 */
export function checkTimerTime(origin: ErrorOrigin, time: unknown, method: string): asserts time is Timestamp {
  if (isTimestamp(time)) return;
  throw invalidTimestamp(
    origin,
    time,
    `${method}(time) needs a finite number of milliseconds within ±Number.MAX_SAFE_INTEGER` +
      (typeof time === 'number' && Number.isNaN(time)
        ? ' (ctx.timestamp() is undefined for a record without a timestamp, so ctx.timestamp()! + delay is NaN: apply assignWatermarks upstream)'
        : ''),
  );
}
