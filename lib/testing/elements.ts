/**
 * Element builders for marble value maps: one diagram can hold records with timestamps, keys and
 * watermarks.
 * @module
 */
import { CheckpointBarrier } from '../core/checkpoint-barrier';
import { Job } from '../core/job';
import type { OutputTag } from '../core/output-tag';
import { SideOutput } from '../core/side-output';
import { StartElement } from '../core/start-element';
import { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';

/**
 * A record with a value, an event timestamp and, optionally, a key.
 *
 * @example
 * ```ts
 * const values = { a: rec('click', 1000), b: rec('click', 1500, 'ann'), w: wm(1999) };
 * cold('a-b-w|', values)
 * ```
 * @throws InvalidTimestampError when the timestamp is NaN, ±Infinity, not a number or beyond the safe range.
 */
export function rec<T>(value: T, timestamp?: Timestamp, key?: Key): StreamRecord<T, any> {
  return new StreamRecord(value, timestamp, key);
}

/** A watermark at `time`. @example `wm(999)` @throws InvalidTimestampError when `time` is not a valid timestamp. */
export function wm(time: Timestamp): Watermark {
  return new Watermark(time);
}

/** The end-of-input watermark (`Number.MAX_SAFE_INTEGER`). @example `{ M: maxWm() }` */
export function maxWm(): Watermark {
  return Watermark.MAX;
}

/** The idle watermark status. @example `{ i: idle() }` */
export function idle(): WatermarkStatus {
  return WatermarkStatus.IDLE;
}

/** The active watermark status. @example `{ a: active() }` */
export function active(): WatermarkStatus {
  return WatermarkStatus.ACTIVE;
}

/** A checkpoint barrier with id `id`. @example `{ B: barrier(1) }` */
export function barrier(id: number, timestamp = 0, type: 'checkpoint' | 'savepoint' = 'checkpoint'): CheckpointBarrier {
  return new CheckpointBarrier(id, timestamp, type);
}

/** A side-output element: `value` sent to `tag`. @example `{ L: side(late, 'x', 5) }` */
export function side<T>(tag: OutputTag<T>, value: T, timestamp?: Timestamp, key?: Key): SideOutput<T> {
  return new SideOutput(tag, new StreamRecord(value, timestamp, key));
}

/** A start element for a job (defaults: a streaming job named "test"). @example `{ S: start() }` */
export function start(job: Job = new Job({ name: 'test' }), bounded = false): StartElement {
  return new StartElement(job.context(bounded));
}
