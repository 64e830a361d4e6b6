import { InvalidArgumentError } from '../core/errors';
import { BoundedOutOfOrdernessWatermarks } from './generators/bounded-out-of-orderness';
import { AscendingTimestampsWatermarks } from './generators/monotonous-timestamps';
import { NoWatermarksGenerator } from './generators/no-watermarks';
import { PerEventWatermarks } from './generators/per-event-emit';
import { WatermarksWithIdleness } from './generators/with-idleness';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkGeneratorSupplier,
} from './watermark-generator';

function checkDuration(factory: string, option: string, ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new InvalidArgumentError({ operator: `WatermarkStrategy.${factory}` }, option, ms, 'must be a finite number of milliseconds >= 0');
  }
}

/**
 * How `assignWatermarks` finds each record's timestamp and generates watermarks: a generator, an
 * optional timestamp assigner, optional idleness detection, and when the watermark is emitted.
 *
 * It's like Flink's `WatermarkStrategy`, with the same factories, plus {@link WatermarkStrategy.withPerEventEmit}.
 *
 * The built-in generators are periodic: the watermark is emitted every `interval` ms (default 200) of
 * processing time. A source that emits everything at once (an array, a file, a replay) is done before the
 * first periodic emit, so event time would only advance at the end: no record is ever late and timers and
 * windows fire only at completion. Add `.withPerEventEmit()` there, to emit the watermark after every
 * record instead.
 *
 * ```text
 * input (event time):              --a(1000)--b(3000)--c(2000)--|
 * forBoundedOutOfOrderness(1000)   watermarks 999 after a, 1999 after b, none after c (never backwards)
 * ```
 *
 * @example
 * ```ts
 * WatermarkStrategy.forBoundedOutOfOrderness(5_000)
 *   .withTimestampAssigner((c: Click) => c.timestamp)
 *   .withIdleness(60_000)
 * // an in-memory source: the watermark follows every record
 * WatermarkStrategy.forBoundedOutOfOrderness(5_000).withPerEventEmit()
 * ```
 * @typeParam T the record values it applies to.
 * @see assignWatermarks, Flink's `WatermarkStrategy`
 */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly supplier: WatermarkGeneratorSupplier<T>,
    /** The timestamp assigner, or `undefined` to keep each record's own timestamp. */
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    /** The idle timeout in ms, or `undefined` for no idleness detection. */
    readonly idleTimeout: number | undefined,
  ) {}

  /** Watermarks for ascending timestamps: max timestamp − 1. @example `WatermarkStrategy.forMonotonousTimestamps()` */
  static forMonotonousTimestamps<T = unknown>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>(), undefined, undefined);
  }

  /**
   * Watermarks that trail the largest timestamp by `maxOutOfOrdernessMs`: max timestamp − delay − 1.
   * @throws InvalidArgumentError when the delay is negative or not a finite number.
   * @example `WatermarkStrategy.forBoundedOutOfOrderness(5_000)`
   */
  static forBoundedOutOfOrderness<T = unknown>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    checkDuration('forBoundedOutOfOrderness', 'maxOutOfOrdernessMs', maxOutOfOrdernessMs);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined);
  }

  /**
   * A custom generator, periodic (`onPeriodicEmit`) or punctuated (`onEvent`).
   * @example
   * ```ts
   * WatermarkStrategy.forGenerator<Ev>(() => ({ onEvent: (e, ts, out) => e.last && out.emitWatermark(ts), onPeriodicEmit: () => {} }))
   * ```
   */
  static forGenerator<T = unknown>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    if (typeof supplier !== 'function') {
      throw new InvalidArgumentError({ operator: 'WatermarkStrategy.forGenerator' }, 'supplier', supplier, 'must be a function returning a WatermarkGenerator');
    }
    return new WatermarkStrategy<T>(supplier, undefined, undefined);
  }

  /** No watermarks: event time advances only at the end of input. @example `WatermarkStrategy.noWatermarks()` */
  static noWatermarks<T = unknown>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined);
  }

  /**
   * The same strategy, taking each record's timestamp from `assigner(value, previousTimestamp)`.
   * @example `strategy.withTimestampAssigner((c: Click) => c.timestamp)`
   */
  withTimestampAssigner<U extends T>(assigner: TimestampAssigner<U>): WatermarkStrategy<U> {
    if (typeof assigner !== 'function') {
      throw new InvalidArgumentError({ operator: 'WatermarkStrategy.withTimestampAssigner' }, 'assigner', assigner, 'must be a function (value, previousTimestamp) => ms');
    }
    return new WatermarkStrategy<U>(this.supplier as WatermarkGeneratorSupplier<U>, assigner, this.idleTimeout);
  }

  /**
   * The same strategy, marking the input idle after more than `idleTimeoutMs` of processing time without
   * events, so it does not hold back the watermark of a `union` or join downstream.
   * @throws InvalidArgumentError when the timeout is negative or not a finite number.
   * @example `strategy.withIdleness(60_000)`
   */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    checkDuration('withIdleness', 'idleTimeoutMs', idleTimeoutMs);
    return new WatermarkStrategy<T>(this.supplier, this.timestampAssigner, idleTimeoutMs);
  }

  /**
   * The same strategy, emitting the watermark after every record (when it advances) as well as
   * periodically. Use it on in-memory, file and replayed sources, and in tests: there the whole input
   * passes before the first periodic emit, so without it event time only advances at the end of input.
   * It costs one watermark element per record that advances the watermark; on a fast live source the
   * periodic default emits far fewer.
   *
   * ```text
   * forBoundedOutOfOrderness(1000).withPerEventEmit(), interval: 0
   * source:  a(2000)-b(4000)-c(3000)-|
   * output:  (aW)----(bX)----c-------(M|)      W = W(999), X = W(2999), M = end-of-input watermark
   * ```
   *
   * @example
   * ```ts
   * fromCollection(clicks).pipe(
   *   assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5_000).withPerEventEmit().withTimestampAssigner((c: Click) => c.ts)),
   * )
   * ```
   * @see PerEventWatermarks
   */
  withPerEventEmit(): WatermarkStrategy<T> {
    const supplier = this.supplier;
    return new WatermarkStrategy<T>((context) => new PerEventWatermarks<T>(supplier(context)), this.timestampAssigner, this.idleTimeout);
  }

  /** Builds the generator for one subscription (idleness included). */
  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const generator = this.supplier(context);
    return this.idleTimeout === undefined
      ? generator
      : new WatermarksWithIdleness(generator, this.idleTimeout, () => context.currentProcessingTime());
  }
}
