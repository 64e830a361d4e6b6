/**
 * Time-to-live for keyed state, on processing time (the operator's scheduler, so TestScheduler drives it
 * in virtual time).
 * @module
 */
import { InvalidArgumentError } from '../core/errors';

/** When the last-access time of a value is refreshed. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
/** Whether an expired value that has not been removed yet may still be read. */
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/**
 * The TTL of a state descriptor: how long a value lives after its last create/write (or read), whether
 * expired values are visible, and how they are cleaned up: on read (always), in snapshots
 * (`cleanupFullSnapshot`), and incrementally (`cleanupIncrementally(n)`: `n` entries checked on each
 * state access, and on every record when asked). As in Flink (cleanup in background, on by default), a
 * config checks 5 entries on each state access unless told otherwise, so the entries of keys that never
 * come back are removed too; `disableCleanupInBackground()` turns that off.
 *
 * @example
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(60_000).setUpdateType('OnReadAndWrite').cleanupIncrementally(10, true).build();
 * const seen = new ValueStateDescriptor<boolean>('seen').enableTimeToLive(ttl);
 * ```
 * @see Flink's `StateTtlConfig`
 */
export class StateTtlConfig {
  private constructor(
    readonly ttl: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    readonly cleanupInSnapshots: boolean,
    readonly incrementalCleanupSize: number,
    readonly incrementalCleanupEveryRecord: boolean,
  ) {}

  /** Starts a config with a time to live of `ttlMs` (> 0). */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  }

  /** @internal */
  static create(b: StateTtlConfigBuilder): StateTtlConfig {
    return new StateTtlConfig(b.ttl, b.updateType, b.visibility, b.snapshots, b.incremental, b.everyRecord);
  }
}

/** Builds a {@link StateTtlConfig}. @example `StateTtlConfig.newBuilder(1000).cleanupFullSnapshot().build()` */
export class StateTtlConfigBuilder {
  updateType: TtlUpdateType = 'OnCreateAndWrite';
  visibility: TtlStateVisibility = 'NeverReturnExpired';
  snapshots = false;
  /** Flink's default for heap state: 5 entries checked per state access. */
  incremental = 5;
  everyRecord = false;

  constructor(readonly ttl: number) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
      throw new InvalidArgumentError({ operator: 'StateTtlConfig.newBuilder' }, 'ttl', ttl, 'must be a positive finite number of milliseconds');
    }
  }
  setUpdateType(type: TtlUpdateType): this {
    if (type !== 'OnCreateAndWrite' && type !== 'OnReadAndWrite') {
      throw new InvalidArgumentError({ operator: 'StateTtlConfig' }, 'updateType', type, "must be 'OnCreateAndWrite' or 'OnReadAndWrite'");
    }
    this.updateType = type;
    return this;
  }
  setStateVisibility(visibility: TtlStateVisibility): this {
    if (visibility !== 'NeverReturnExpired' && visibility !== 'ReturnExpiredIfNotCleanedUp') {
      throw new InvalidArgumentError({ operator: 'StateTtlConfig' }, 'stateVisibility', visibility, "must be 'NeverReturnExpired' or 'ReturnExpiredIfNotCleanedUp'");
    }
    this.visibility = visibility;
    return this;
  }
  /** Leaves expired entries out of snapshots. */
  cleanupFullSnapshot(): this {
    this.snapshots = true;
    return this;
  }
  /** Checks `cleanupSize` entries for expiry on every state access (and on every record when asked). */
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord = false): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 1) {
      throw new InvalidArgumentError({ operator: 'StateTtlConfig' }, 'cleanupSize', cleanupSize, 'must be a positive integer');
    }
    this.incremental = cleanupSize;
    this.everyRecord = runCleanupForEveryRecord;
    return this;
  }
  /** No incremental cleanup: expired entries go only when read (or left out of snapshots). */
  disableCleanupInBackground(): this {
    this.incremental = 0;
    this.everyRecord = false;
    return this;
  }
  build(): StateTtlConfig {
    return StateTtlConfig.create(this);
  }
}
