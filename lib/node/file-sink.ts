import { asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { CheckpointError, InvalidArgumentError, describeValue } from '../core/errors';
import { failOperator, operateElements, runScheduled } from '../core/operate-elements';
import type { OperatorOptions } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { DateTimeBucketAssigner, type BucketAssigner, type BucketAssignerContext, type BucketAssignerFunction } from './file-sink-bucket-assigners';
import { Buckets, type FileSinkSnapshot, PartNames } from './file-sink-buckets';
import { FileSinkError } from './file-sink-error';
import { lineFormat, type RowFormat } from './file-sink-formats';
import { DefaultRollingPolicy, type RollingPolicy } from './file-sink-rolling-policies';

/**
 * How part files are named: `<partPrefix>-<subtask>-<n><partSuffix>` (in progress:
 * `.<that>.inprogress`). Two sinks writing into one directory need different prefixes.
 *
 * It's like Flink's `OutputFileConfig`.
 */
export interface OutputFileConfig {
  /** Default `part`. Letters, digits, `.`, `_` and `-`. */
  partPrefix?: string;
  /** Default: the format's suffix (`.txt`, `.jsonl`, `.csv`). */
  partSuffix?: string;
}

/** Options of {@link fileSink}. */
export interface FileSinkOptions<T> extends OperatorOptions {
  /** The base directory; created if missing. Buckets are directories under it. */
  path: string;
  /** How a record becomes a line (default {@link lineFormat}). */
  format?: RowFormat<T>;
  /**
   * Which bucket a record goes to (default `new DateTimeBucketAssigner()`: one directory per hour of
   * processing time, `yyyy-MM-dd--HH`): an assigner or a function `(value, context) => bucketId`.
   */
  bucketAssigner?: BucketAssigner<T> | BucketAssignerFunction<T>;
  /** When part files roll (default `new DefaultRollingPolicy()`). */
  rollingPolicy?: RollingPolicy<T>;
  outputFileConfig?: OutputFileConfig;
  /** How often (ms of processing time) the rolling policy's time rules are checked (default 60 000). */
  bucketCheckInterval?: number;
  /** Bytes buffered per in-progress file before a write to disk (default 64 KiB). */
  bufferSize?: number;
  /** `fsync` part files at each checkpoint and when they are closed, so they survive a power loss (default true). */
  fsync?: boolean;
}

const NAME = 'fileSink';
const STATE = 'state';
const PREFIX = /^[A-Za-z0-9._-]+$/;

function positiveInt(origin: { operator: string; uid?: string | undefined }, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError(origin, name, v, 'must be a positive integer');
  return v;
}

/**
 * Writes the stream's records into part files under a directory, in buckets (sub-directories by time or
 * by a function), with exactly-once output when the job checkpoints. It emits nothing and completes when
 * its input completes.
 *
 * It's like Flink's `FileSink.forRowFormat` (the streaming file sink), on the local file system.
 *
 * A part file goes through Flink's lifecycle: **in-progress** (hidden, `.part-0-3.txt.inprogress`,
 * being written), **pending** (closed by the rolling policy: by size, age, inactivity or at a checkpoint;
 * still hidden) and **finished** (renamed to `part-0-3.txt`) once the checkpoint it was closed for
 * completes. Readers see only finished files, and those hold exactly what a failure-free run writes.
 *
 * At a checkpoint barrier the sink flushes (and `fsync`s) its in-progress files and records, under its
 * uid, their names and byte lengths and the pending files per checkpoint. On restore it finishes the
 * pending files of the restored checkpoint, truncates each in-progress file to its recorded length and
 * goes on writing it, and deletes its other in-progress files (written after the checkpoint, replayed
 * now). Without checkpoints a rolled file is finished at once and every file at the end of input: output
 * is then at-least-once (after a crash, a new run writes again what the crashed one finished).
 * At the end of input every file is finished (Flink's final checkpoint); a crash while that happens may
 * repeat what came after the last checkpoint.
 *
 * ```text
 * input     S-a-b-B1-c-(M|)          (S start, B1 barrier of checkpoint 1, M end of input)
 * disk      .part-0-0.txt.inprogress: "a\nb\n" at B1 (length 4 recorded) … "a\nb\nc\n"
 * complete  part-0-0.txt: "a\nb\nc\n"
 * ```
 *
 * @example
 * ```ts
 * const job = new Job({ name: 'archive', checkpoints: { interval: 10_000 } });
 * fromCollection(clicks, { job, uid: 'clicks' }).pipe(
 *   fileSink({ path: '/var/data/clicks', format: jsonLinesFormat(), uid: 'archive', bucketAssigner: (c) => `user=${c.user}` }),
 * ).subscribe();
 * ```
 * @param options - the directory, format, bucket assigner, rolling policy and naming.
 * @typeParam T - the records' type.
 * @throws InvalidArgumentError for a bad option (synchronously).
 * @throws {@link FileSinkError} (as an error notification) when the directory is not writable, a record
 *   cannot be encoded or a restore finds the files changed; {@link CheckpointError} when the job
 *   checkpoints and the sink has no uid.
 * @see lineFormat, jsonLinesFormat, csvFormat, DateTimeBucketAssigner, DefaultRollingPolicy,
 *   OnCheckpointRollingPolicy, Flink's `FileSink`
 */
export function fileSink<T>(options: FileSinkOptions<T>): OperatorFunction<StreamElement<T, unknown>, never> {
  const origin = { operator: options?.name ?? NAME, uid: options?.uid };
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError({ operator: NAME }, 'options', options, "must be an object like { path: '/tmp/out' }");
  if (typeof options.path !== 'string' || options.path.length === 0) throw new InvalidArgumentError(origin, 'path', options.path, 'must be a non-empty directory path');
  const format = options.format ?? (lineFormat() as RowFormat<T>);
  if (format === null || typeof format !== 'object' || typeof format.encode !== 'function') {
    throw new InvalidArgumentError(origin, 'format', format, 'must be a row format such as lineFormat(), jsonLinesFormat() or csvFormat({ columns })');
  }
  const assigner = options.bucketAssigner ?? new DateTimeBucketAssigner<T>();
  const bucketOf: BucketAssignerFunction<T> =
    typeof assigner === 'function'
      ? assigner
      : assigner !== null && typeof assigner === 'object' && typeof assigner.getBucketId === 'function'
        ? (v, c) => assigner.getBucketId(v, c)
        : (() => {
            throw new InvalidArgumentError(origin, 'bucketAssigner', assigner, 'must be a BucketAssigner or a function (value, context) => bucketId');
          })();
  const policy = options.rollingPolicy ?? new DefaultRollingPolicy<T>();
  if (policy === null || typeof policy !== 'object' || typeof policy.shouldRollOnEvent !== 'function') {
    throw new InvalidArgumentError(origin, 'rollingPolicy', policy, 'must be a RollingPolicy such as new DefaultRollingPolicy()');
  }
  const prefix = options.outputFileConfig?.partPrefix ?? 'part';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw new InvalidArgumentError(origin, 'outputFileConfig.partPrefix', prefix, 'must be letters, digits, ".", "_" or "-"');
  const suffix = options.outputFileConfig?.partSuffix ?? format.suffix ?? '';
  if (typeof suffix !== 'string' || (suffix !== '' && !PREFIX.test(suffix))) {
    throw new InvalidArgumentError(origin, 'outputFileConfig.partSuffix', suffix, 'must be letters, digits, ".", "_" or "-"');
  }
  const checkInterval = positiveInt(origin, 'bucketCheckInterval', options.bucketCheckInterval ?? 60_000);
  const bufferSize = positiveInt(origin, 'bufferSize', options.bufferSize ?? 64 * 1024);
  const fsync = options.fsync ?? true;
  const { path, name, uid, scheduler: ownScheduler, metrics } = options;
  const operatorOptions: OperatorOptions = {
    ...(name === undefined ? {} : { name }),
    ...(uid === undefined ? {} : { uid }),
    ...(ownScheduler === undefined ? {} : { scheduler: ownScheduler }),
    ...(metrics === undefined ? {} : { metrics }),
  };

  return operateElements<T, never>({ name: NAME, options: operatorOptions }, (destination) => {
    let buckets!: Buckets<T>;
    let scheduler: SchedulerLike = asyncScheduler;
    let unregister: (() => void) | undefined;
    let timer: Subscription | undefined;
    let watermark = -Infinity;
    let transactional = false;
    const context = { currentProcessingTime: 0, currentWatermark: -Infinity, timestamp: undefined as number | undefined };
    return {
      open(job) {
        scheduler = ownScheduler ?? job?.scheduler ?? asyncScheduler;
        const coordinator = job?.checkpoints;
        if (coordinator !== undefined && uid === undefined) {
          throw new CheckpointError(origin, `job "${job!.jobName}" checkpoints, so the file sink needs a uid to store its part files under: fileSink({ path, uid: '...' })`);
        }
        transactional = coordinator !== undefined;
        buckets = new Buckets<T>({
          base: path,
          names: new PartNames(prefix, suffix, job?.subtaskIndex ?? 0),
          policy,
          header: format.header,
          bufferSize,
          fsync,
          origin,
          transactional,
        });
        buckets.checkWritable();
        const restored = uid === undefined ? undefined : job?.restoredState?.get(uid);
        if (restored !== undefined) {
          const raw = (restored as Partial<RestoredParts>).parts === true ? (restored as RestoredParts).operator.get(STATE) : undefined;
          if (raw === undefined) throw new CheckpointError(origin, `the state restored under uid "${uid}" was not written by a file sink; give this sink another uid`);
          buckets.restore(JSON.parse(raw) as FileSinkSnapshot, scheduler.now());
        } else buckets.cleanup();
        if (coordinator !== undefined) {
          unregister = coordinator.register(uid!, {
            notifyCheckpointComplete: (id) => {
              if (destination.closed) return;
              try {
                buckets.notifyCheckpointComplete(id);
              } catch (err) {
                failOperator(destination, origin, err);
              }
            },
          });
        }
        timer = scheduler.schedule(function check() {
          runScheduled(destination, origin, () => buckets.onProcessingTime(scheduler.now()));
          if (!destination.closed) this.schedule(undefined, checkInterval);
        }, checkInterval);
      },
      record(value, timestamp) {
        const now = scheduler.now();
        context.currentProcessingTime = now;
        context.currentWatermark = watermark;
        context.timestamp = timestamp;
        const bucket = bucketOf(value, context as BucketAssignerContext);
        if (typeof bucket !== 'string') throw new FileSinkError(origin, `the bucket assigner returned ${describeValue(bucket)} for the record ${describeValue(value)}, not a string`);
        buckets.write(bucket, value, format.encode(value), now);
      },
      watermark(mark) {
        watermark = mark.time;
      },
      status() {},
      sideOutput() {},
      start() {},
      barrier(barrier) {
        if (!transactional || barrier.acknowledger === undefined) return;
        const started = scheduler.now();
        const state = buckets.snapshot(barrier.checkpointId);
        barrier.acknowledger.acknowledge(uid!, { parts: true, operator: [[STATE, JSON.stringify(state)]], syncMillis: scheduler.now() - started });
      },
      complete() {
        buckets.finishAll();
      },
      finalize() {
        timer?.unsubscribe();
        unregister?.();
        unregister = undefined;
        buckets?.dispose();
      },
    };
  });
}
