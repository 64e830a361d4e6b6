/**
 * Rolling policies of the file sink: when the in-progress part file of a bucket is closed (becomes
 * pending) and a new one is started.
 * @module
 */
import { InvalidArgumentError } from '../core/errors';

/** What a rolling policy knows about an in-progress part file. */
export interface PartFileInfo {
  /** The bucket the part file belongs to. */
  readonly bucketId: string;
  /** Processing time (ms) at which the part file was opened. */
  readonly creationTime: number;
  /** Processing time (ms) of the last record written to it. */
  readonly lastUpdateTime: number;
  /** Its size in bytes so far (header included). */
  readonly size: number;
}

/**
 * Decides when a bucket's in-progress part file rolls: it is closed (pending until the next checkpoint
 * completes, then finished) and the next record opens a new one.
 *
 * It's like Flink's `RollingPolicy`, but `shouldRollOnEvent` also gets the size of the record about to be
 * written, so a policy can keep files under a size.
 *
 * @example
 * ```ts
 * const everyThousandLines: RollingPolicy<string> = {
 *   shouldRollOnCheckpoint: () => false,
 *   shouldRollOnEvent: (file, _value, bytes) => file.size + bytes > 1_000 * 32,
 *   shouldRollOnProcessingTime: () => false,
 * };
 * ```
 * @typeParam T - the records' type.
 * @see DefaultRollingPolicy, OnCheckpointRollingPolicy
 */
export interface RollingPolicy<T> {
  /** At a checkpoint barrier: roll now? (Then the file is finished when that checkpoint completes.) */
  shouldRollOnCheckpoint(file: PartFileInfo): boolean;
  /** Before `value` (`bytes` long once encoded) is written: roll first? */
  shouldRollOnEvent(file: PartFileInfo, value: T, bytes: number): boolean;
  /** At each bucket check (every `bucketCheckInterval` ms of processing time): roll now? */
  shouldRollOnProcessingTime(file: PartFileInfo, now: number): boolean;
}

/** Options of {@link DefaultRollingPolicy}. All durations in ms of processing time. */
export interface DefaultRollingPolicyOptions {
  /** A part file never grows past this many bytes, unless one record alone is larger (default 128 MiB). */
  maxPartSize?: number;
  /** A part file rolls once it has been open this long (default 60 000). */
  rolloverInterval?: number;
  /** A part file rolls once nothing was written to it for this long (default 60 000). */
  inactivityInterval?: number;
  /** Also roll at every checkpoint (default false: the in-progress file is resumed after a restore). */
  rollOnCheckpoint?: boolean;
}

const ORIGIN = { operator: 'DefaultRollingPolicy' };

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(ORIGIN, name, v, 'must be a finite number > 0');
  return v;
}

/**
 * Rolls by size, by age and by inactivity (and, when asked, at every checkpoint): before a record that
 * would take the file past `maxPartSize`, and at a bucket check once the file is `rolloverInterval` old or
 * was idle for `inactivityInterval`.
 *
 * It's like Flink's `DefaultRollingPolicy`, but the size is a bound the file keeps (Flink rolls only once
 * it is exceeded).
 *
 * ```text
 * maxPartSize 10, records of 4 bytes     part-0-0: aaaa bbbb | part-0-1: cccc dddd | ...
 * ```
 *
 * @example
 * ```ts
 * fileSink({ path: '/tmp/out', rollingPolicy: new DefaultRollingPolicy({ maxPartSize: 1 << 20, rolloverInterval: 15 * 60_000 }) })
 * ```
 * @throws InvalidArgumentError when a size or duration is not a finite number > 0.
 */
export class DefaultRollingPolicy<T = unknown> implements RollingPolicy<T> {
  readonly maxPartSize: number;
  readonly rolloverInterval: number;
  readonly inactivityInterval: number;
  readonly rollOnCheckpoint: boolean;

  constructor(options: DefaultRollingPolicyOptions = {}) {
    this.maxPartSize = positive('maxPartSize', options.maxPartSize ?? 128 * 1024 * 1024);
    this.rolloverInterval = positive('rolloverInterval', options.rolloverInterval ?? 60_000);
    this.inactivityInterval = positive('inactivityInterval', options.inactivityInterval ?? 60_000);
    this.rollOnCheckpoint = options.rollOnCheckpoint ?? false;
  }

  shouldRollOnCheckpoint(file: PartFileInfo): boolean {
    return this.rollOnCheckpoint || file.size >= this.maxPartSize;
  }

  shouldRollOnEvent(file: PartFileInfo, _value: T, bytes: number): boolean {
    return file.size > 0 && file.size + bytes > this.maxPartSize;
  }

  shouldRollOnProcessingTime(file: PartFileInfo, now: number): boolean {
    return now - file.creationTime >= this.rolloverInterval || now - file.lastUpdateTime >= this.inactivityInterval;
  }
}

/**
 * Rolls at every checkpoint and at nothing else: each part file holds what arrived between two
 * checkpoints, and no file is ever resumed after a restore.
 *
 * It's like Flink's `OnCheckpointRollingPolicy`.
 *
 * ```text
 * records a b, checkpoint 1, records c d, checkpoint 2     part-0-0: a b | part-0-1: c d
 * ```
 *
 * @example
 * ```ts
 * fileSink({ path: '/tmp/out', rollingPolicy: new OnCheckpointRollingPolicy() })
 * ```
 */
export class OnCheckpointRollingPolicy<T = unknown> implements RollingPolicy<T> {
  shouldRollOnCheckpoint(): boolean {
    return true;
  }
  shouldRollOnEvent(_file: PartFileInfo, _value: T, _bytes: number): boolean {
    return false;
  }
  shouldRollOnProcessingTime(_file: PartFileInfo, _now: number): boolean {
    return false;
  }
}
