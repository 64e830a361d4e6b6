/**
 * Bucket assigners of the file sink: which directory (bucket) under the sink's path a record goes to.
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors';
import type { Timestamp } from '../core/types';
import { FileSinkError } from './file-sink-error';

/** What a bucket assigner knows besides the record. */
export interface BucketAssignerContext {
  /** The sink's processing time (its scheduler's `now()`), in ms. */
  readonly currentProcessingTime: number;
  /** The last watermark the sink saw (`-Infinity` before the first). */
  readonly currentWatermark: number;
  /** The record's event-time timestamp, if it has one. */
  readonly timestamp: Timestamp | undefined;
}

/**
 * Chooses the bucket of a record: a relative directory under the sink's path (`''` for the path itself,
 * `/` separates levels). The same record and context must give the same bucket.
 *
 * It's like Flink's `BucketAssigner`.
 *
 * @example
 * ```ts
 * const byUser: BucketAssigner<{ user: string }> = { getBucketId: (c) => `user=${c.user}` };
 * ```
 * @typeParam T - the records' type.
 */
export interface BucketAssigner<T> {
  getBucketId(value: T, context: BucketAssignerContext): string;
}

/**
 * Every record in one bucket: the sink's path itself.
 *
 * It's like Flink's `BasePathBucketAssigner`.
 *
 * @example
 * ```ts
 * fileSink({ path: '/tmp/out', bucketAssigner: new BasePathBucketAssigner() })
 * ```
 */
export class BasePathBucketAssigner<T = unknown> implements BucketAssigner<T> {
  getBucketId(): string {
    return '';
  }
}

/** Options of {@link DateTimeBucketAssigner}. */
export interface DateTimeBucketAssignerOptions {
  /**
   * The bucket's name pattern (default `yyyy-MM-dd--HH`, Flink's): `yyyy` year, `MM` month, `dd` day,
   * `HH` hour, `mm` minute, `ss` second, `SSS` millisecond; text in single quotes and every other
   * character are copied (so `'day='yyyy-MM-dd` gives `day=2024-05-01`, `yyyy/MM/dd` nested directories).
   */
  format?: string;
  /** Which time names the bucket: `processing` (default, as Flink's) or the record's `event` time. */
  time?: 'processing' | 'event';
  /** The zone of the pattern's fields: `UTC` (default) or the machine's `local` zone. */
  timeZone?: 'UTC' | 'local';
}

const DT_ORIGIN = { operator: 'DateTimeBucketAssigner' };
const TOKEN = /'([^']*)'|yyyy|SSS|MM|dd|HH|mm|ss/g;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Buckets by time: a record goes to the bucket named by formatting its time (processing time by default,
 * or its event time) with a date pattern, e.g. one directory per hour.
 *
 * It's like Flink's `DateTimeBucketAssigner`, but with a pattern of its own small syntax (see
 * {@link DateTimeBucketAssignerOptions.format}) and UTC by default.
 *
 * ```text
 * format 'yyyy-MM-dd--HH', time 2024-05-01T13:45:00Z    bucket '2024-05-01--13'
 * format 'yyyy/MM/dd', time 2024-05-01T13:45:00Z        bucket '2024/05/01'   (nested directories)
 * ```
 *
 * @example
 * ```ts
 * fileSink({ path: '/tmp/out', bucketAssigner: new DateTimeBucketAssigner({ format: "'day='yyyy-MM-dd", time: 'event' }) })
 * ```
 * @throws InvalidArgumentError for an empty pattern or an unknown `time`/`timeZone`.
 */
export class DateTimeBucketAssigner<T = unknown> implements BucketAssigner<T> {
  readonly format: string;
  readonly time: 'processing' | 'event';
  readonly timeZone: 'UTC' | 'local';

  constructor(options: DateTimeBucketAssignerOptions = {}) {
    this.format = options.format ?? 'yyyy-MM-dd--HH';
    if (typeof this.format !== 'string' || this.format.length === 0) throw new InvalidArgumentError(DT_ORIGIN, 'format', this.format, "must be a non-empty pattern such as 'yyyy-MM-dd--HH'");
    this.time = options.time ?? 'processing';
    if (this.time !== 'processing' && this.time !== 'event') throw new InvalidArgumentError(DT_ORIGIN, 'time', this.time, "must be 'processing' or 'event'");
    this.timeZone = options.timeZone ?? 'UTC';
    if (this.timeZone !== 'UTC' && this.timeZone !== 'local') throw new InvalidArgumentError(DT_ORIGIN, 'timeZone', this.timeZone, "must be 'UTC' or 'local'");
  }

  getBucketId(_value: T, context: BucketAssignerContext): string {
    let t: number;
    if (this.time === 'event') {
      if (context.timestamp === undefined) {
        throw new FileSinkError(DT_ORIGIN, "a record has no event-time timestamp, but the buckets are named by event time: assign timestamps first (assignWatermarks) or use time: 'processing'");
      }
      t = context.timestamp;
    } else t = context.currentProcessingTime;
    return formatTime(this.format, t, this.timeZone);
  }
}

/**
 * Formats `time` (ms since the epoch) with a {@link DateTimeBucketAssigner} pattern.
 * @example
 * ```ts
 * formatTime('yyyy-MM-dd--HH', Date.UTC(2024, 4, 1, 13), 'UTC') // '2024-05-01--13'
 * ```
 */
export function formatTime(pattern: string, time: number, timeZone: 'UTC' | 'local' = 'UTC'): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) throw new FileSinkError(DT_ORIGIN, `the time ${describeValue(time)} is not a valid date`);
  const utc = timeZone === 'UTC';
  return pattern.replace(TOKEN, (token, quoted: string | undefined) => {
    if (quoted !== undefined) return quoted;
    switch (token) {
      case 'yyyy':
        return pad(utc ? d.getUTCFullYear() : d.getFullYear(), 4);
      case 'MM':
        return pad((utc ? d.getUTCMonth() : d.getMonth()) + 1, 2);
      case 'dd':
        return pad(utc ? d.getUTCDate() : d.getDate(), 2);
      case 'HH':
        return pad(utc ? d.getUTCHours() : d.getHours(), 2);
      case 'mm':
        return pad(utc ? d.getUTCMinutes() : d.getMinutes(), 2);
      case 'ss':
        return pad(utc ? d.getUTCSeconds() : d.getSeconds(), 2);
      default:
        return pad(utc ? d.getUTCMilliseconds() : d.getMilliseconds(), 3);
    }
  });
}

/** A bucket assigner given as a function of the record and the context. */
export type BucketAssignerFunction<T> = (value: T, context: BucketAssignerContext) => string;
