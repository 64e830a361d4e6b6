/**
 * Shared primitive types and constants of tidemark's core.
 * @module
 */

/** Event time in milliseconds since the epoch (any finite number within the safe-integer range). */
export type Timestamp = number;

/** A primitive key part: what `keyBy` accepts without a key serializer. */
export type KeyPrimitive = string | number | boolean | bigint;

/** A key as set by `keyBy`: a primitive or a (nested) array of primitives. */
export type Key = KeyPrimitive | readonly Key[];

/**
 * The largest watermark: emitted at the end of bounded input so every event-time window and timer fires.
 * Equal to `Number.MAX_SAFE_INTEGER`, the counterpart of Flink's `Long.MAX_VALUE`.
 */
export const MAX_WATERMARK: Timestamp = Number.MAX_SAFE_INTEGER;

/** The smallest watermark, the current watermark of an operator that has seen none. */
export const MIN_WATERMARK: Timestamp = Number.MIN_SAFE_INTEGER;

/** Execution mode of a job, as in Flink's `RuntimeExecutionMode`. */
export type ExecutionMode = 'streaming' | 'batch' | 'automatic';

/** A Flink-style collector: what process and flatMap functions emit into. */
export interface Collector<T> {
  collect(value: T): void;
}
