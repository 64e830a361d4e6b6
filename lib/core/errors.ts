/**
 * tidemark's typed errors. Every error names the operator (and its uid when it has one), the bad value
 * and, where there is one, the option to fix.
 * @module
 */

/** Where an error arose: the operator's name and, when set, its uid. */
export interface ErrorOrigin {
  readonly operator: string;
  readonly uid?: string | undefined;
}

function where(origin: ErrorOrigin): string {
  return origin.uid === undefined ? origin.operator : `${origin.operator} (uid "${origin.uid}")`;
}

/** Renders a value for an error message: strings quoted, everything else as `String()` would, but safely. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    const json = JSON.stringify(value);
    const s = json === undefined ? String(value) : json;
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Base class of every error tidemark raises.
 *
 * @example
 * ```ts
 * source$.pipe(values()).subscribe({ error: (e) => { if (e instanceof TidemarkError) console.error(e.operator, e.message) } })
 * ```
 */
export class TidemarkError extends Error {
  override name = 'TidemarkError';
  readonly operator: string;
  readonly uid: string | undefined;
  constructor(origin: ErrorOrigin, message: string, options?: { cause?: unknown }) {
    super(`${where(origin)}: ${message}`, options);
    this.operator = origin.operator;
    this.uid = origin.uid;
  }
}

/** A bad argument or option given to an operator or factory (a bad window size, a negative delay...). */
export class InvalidArgumentError extends TidemarkError {
  override name = 'InvalidArgumentError';
  constructor(
    origin: ErrorOrigin,
    /** The option or parameter that was wrong. */
    readonly option: string,
    /** The value given. */
    readonly value: unknown,
    expectation: string,
  ) {
    super(origin, `${option} ${expectation}, got ${describeValue(value)}`);
  }
}

/** A timestamp that is not a finite number within the safe-integer range. */
export class InvalidTimestampError extends TidemarkError {
  override name = 'InvalidTimestampError';
  constructor(
    origin: ErrorOrigin,
    readonly value: unknown,
    detail = 'a timestamp must be a finite number of milliseconds within ±Number.MAX_SAFE_INTEGER',
  ) {
    super(origin, `invalid timestamp ${describeValue(value)}: ${detail}`);
  }
}

/** A key selector returned something that is not a valid key (and no key serializer was given). */
export class InvalidKeyError extends TidemarkError {
  override name = 'InvalidKeyError';
  constructor(
    origin: ErrorOrigin,
    readonly value: unknown,
    detail: string,
  ) {
    super(origin, `invalid key ${describeValue(value)}: ${detail}`);
  }
}

/** A keyed operator (or keyed state, or a timer) was used on a stream that is not keyed. */
export class NotKeyedError extends TidemarkError {
  override name = 'NotKeyedError';
  constructor(origin: ErrorOrigin, what = 'this operator') {
    super(origin, `${what} needs a keyed stream: apply keyBy(selector) before it`);
  }
}

/** A user function (map, reduce, process, ...) threw; the original error is the `cause`. */
export class UserFunctionError extends TidemarkError {
  override name = 'UserFunctionError';
  constructor(origin: ErrorOrigin, cause: unknown) {
    super(origin, `user function threw: ${cause instanceof Error ? cause.message : describeValue(cause)}`, { cause });
  }
}

/** A source could not read its input (a missing file, a refused connection...). */
export class SourceError extends TidemarkError {
  override name = 'SourceError';
  constructor(origin: ErrorOrigin, message: string, cause?: unknown) {
    super(origin, message, cause === undefined ? undefined : { cause });
  }
}

/** Misuse of state or timers (a descriptor re-registered with another type, a timer on a non-keyed stream...). */
export class StateError extends TidemarkError {
  override name = 'StateError';
}

/** Wraps anything thrown inside an operator in a {@link UserFunctionError} unless it already is a TidemarkError. */
export function wrapUserError(origin: ErrorOrigin, err: unknown): TidemarkError {
  return err instanceof TidemarkError ? err : new UserFunctionError(origin, err);
}

/**
 * A checkpoint or savepoint could not be written, read or used: a corrupt or unknown-format snapshot, a
 * savepoint of another job, state of an unknown operator uid.
 */
export class CheckpointError extends TidemarkError {
  override name = 'CheckpointError';
}

/**
 * The restored checkpoint or savepoint holds state of operator uids that no operator of the job
 * registers (an operator was removed or its uid changed). `uids` names them.
 *
 * @example
 * ```ts
 * stream.subscribe({ error: (e) => { if (e instanceof NonRestoredStateError) console.log('state left behind:', e.uids) } });
 * // or drop it on purpose: new Job({ ..., allowNonRestoredState: true })
 * ```
 */
export class NonRestoredStateError extends CheckpointError {
  override name = 'NonRestoredStateError';
  constructor(
    origin: ErrorOrigin,
    /** The uids whose state no operator took. */
    readonly uids: readonly string[],
  ) {
    super(
      origin,
      `the restored state holds operator uid(s) ${uids.map((u) => `"${u}"`).join(', ')} that no operator of this job registers: give the operator that should take it that uid, or drop that state with allowNonRestoredState: true in the job options`,
    );
  }
}

/** The checkpoint storage (Redis, ...) could not be reached or refused a command; the `cause` says why. */
export class StorageUnavailableError extends TidemarkError {
  override name = 'StorageUnavailableError';
}

/** A sink could not write, pre-commit, commit or recover (a target refused a write, a commit kept failing...). */
export class SinkError extends TidemarkError {
  override name = 'SinkError';
}

/**
 * A source read a record it cannot parse, and no dead-letter output was configured: names the source,
 * the split (a stream key, a file) and the offset (an entry id, a line) of the record.
 */
export class UnparsableRecordError extends SourceError {
  override name = 'UnparsableRecordError';
  constructor(
    origin: ErrorOrigin,
    /** The split the record came from (a stream key, a file...). */
    readonly split: string,
    /** Where in the split (an entry id, a line number...). */
    readonly offset: string,
    cause: unknown,
  ) {
    super(origin, `cannot parse the record at offset ${offset} of split ${JSON.stringify(split)}: ${cause instanceof Error ? cause.message : describeValue(cause)}`, cause);
  }
}

/**
 * A parallel stage cannot run as asked: a parallelism above the job's max parallelism (the number of key
 * groups), or `forward()` between stages of different parallelisms.
 */
export class ParallelismError extends TidemarkError {
  override name = 'ParallelismError';
}

/** A partitioner chose a channel that does not exist (a custom partitioner's index out of range). */
export class PartitionerError extends TidemarkError {
  override name = 'PartitionerError';
  constructor(
    origin: ErrorOrigin,
    /** The channel index the partitioner returned. */
    readonly index: unknown,
    /** The number of channels it had to choose from. */
    readonly channels: number,
  ) {
    super(origin, `the partitioner returned channel ${describeValue(index)}, which is not an integer in [0, ${channels})`);
  }
}
