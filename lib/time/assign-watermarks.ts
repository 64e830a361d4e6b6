import type { OperatorFunction, Subscription } from 'rxjs';
import { invalidTimestamp, isTimestamp } from '../core/check-timestamp';
import { describeValue, InvalidArgumentError } from '../core/errors';
import { failOperator, operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Key, MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';
import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator';
import type { WatermarkStrategy } from './watermark-strategy';
import { checkMethods, checkOptions } from '../core/validate';

/** Options of {@link assignWatermarks}. */
export interface AssignWatermarksOptions<T = unknown> extends OperatorOptions {
  /** Periodic emit interval in ms of processing time (default 200; 0 turns periodic emits off). */
  interval?: number;
  /**
   * Where a record whose timestamp is not valid goes instead of failing the stream: the assigner
   * returned NaN, ±Infinity, a non-number or a number beyond ±`Number.MAX_SAFE_INTEGER`, or the record
   * has no timestamp and the strategy no assigner. The record is sent to this side output (read it with
   * `sideOutput(tag)`) without a timestamp, with its key, and takes no part in watermarks or windows.
   * Without it, such a record errors the stream with an `InvalidTimestampError`.
   */
  invalidTimestampOutput?: OutputTag<T>;
}

/**
 * Assigns event timestamps and generates watermarks with a {@link WatermarkStrategy}.
 *
 * It's like Flink's `assignTimestampsAndWatermarks`. Watermarks only ever advance; periodic ones are
 * emitted every `interval` ms (default 200) on the operator's scheduler; upstream watermarks are dropped
 * except the end-of-input one; at completion the largest watermark is emitted, so every event-time
 * window and timer downstream fires. In batch mode only that final watermark is emitted.
 *
 * ```text
 * strategy: forBoundedOutOfOrderness(1000), interval: 5
 * source:   a(2000)---b(4000)c(3000)---|
 * output:   a(2000)-W(999)-b(4000)c(3000)-W(2999)-(M|)      (M = end-of-input watermark)
 * ```
 *
 * A timestamp is checked here, once per record: NaN, ±Infinity, a non-number (such as `Number('x')` of
 * bad input, or a string) or a number beyond ±`Number.MAX_SAFE_INTEGER` errors the stream with an
 * `InvalidTimestampError`, or, with `invalidTimestampOutput`, sends the record to that side output. It
 * never reaches a window, join or timer downstream, and never moves a watermark.
 *
 * ```text
 * strategy: forMonotonousTimestamps() with assigner (v) => v.t, interval: 0, invalidTimestampOutput: bad
 * source:   a-b-c-|          a = { t: 5 }, b = { t: NaN }, c = { t: 7 }
 * output:   a-B-c-(WM|)      a(5), B = b on side output bad (no timestamp), c(7), W = W(6), M = end of input
 * ```
 *
 * @example
 * ```ts
 * clicks$.pipe(assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5_000).withTimestampAssigner((c: Click) => c.ts)))
 * // rows whose "ts" is not a number go to a side output instead of failing the stream
 * rows$.pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<Row>().withTimestampAssigner((r) => Number(r.ts)), { invalidTimestampOutput: badRows }))
 * ```
 * @throws InvalidArgumentError (at call time) when `strategy` is not a WatermarkStrategy.
 * @throws InvalidTimestampError (as an error notification) when the assigner returns NaN, ±Infinity, a
 * non-number or a number beyond the safe range, or when a record has no timestamp and there is no
 * assigner, unless `invalidTimestampOutput` is set.
 * @see WatermarkStrategy, Flink's `TimestampsAndWatermarksOperator`
 */
export function assignWatermarks<T, K = Key>(
  strategy: WatermarkStrategy<T>,
  options?: AssignWatermarksOptions<T>,
): OperatorFunction<StreamElement<T, K>, StreamElement<T, K>> {
  const name = options?.name ?? 'assignWatermarks';
  checkOptions('assignWatermarks', options);
  checkMethods({ operator: name, uid: options?.uid }, 'strategy', strategy, ['createWatermarkGenerator']);
  const interval = options?.interval ?? 200;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    throw new InvalidArgumentError({ operator: name, uid: options?.uid }, 'interval', interval, 'must be a finite number of milliseconds >= 0');
  }
  const assigner = strategy.timestampAssigner;
  const invalidOutput = options?.invalidTimestampOutput;
  const fix = invalidOutput === undefined ? ' (or set invalidTimestampOutput to send such records to a side output)' : '';
  return operateElements<T, StreamElement<T, K>>({ name, options }, (destination, origin) => {
    let generator: WatermarkGenerator<T> | undefined;
    let current: Timestamp = MIN_WATERMARK;
    let idle = false;
    let batch = false;
    let periodic: Subscription | undefined;
    let ended = false;

    const output: WatermarkOutput = {
      emitWatermark(time) {
        if (batch || ended || !(time > current)) return;
        current = time;
        if (idle) {
          idle = false;
          destination.next(WatermarkStatus.ACTIVE);
        }
        destination.next(new Watermark(time));
      },
      markIdle() {
        if (batch || ended || idle) return;
        idle = true;
        destination.next(WatermarkStatus.IDLE);
      },
      markActive() {
        if (batch || ended || !idle) return;
        idle = false;
        destination.next(WatermarkStatus.ACTIVE);
      },
    };

    const end = (): void => {
      if (ended) return;
      if (generator !== undefined) generator.onPeriodicEmit(output);
      ended = true;
      periodic?.unsubscribe();
      if (current < MAX_WATERMARK) {
        current = MAX_WATERMARK;
        // as any watermark, the last one comes from an active input (a valve ignores an idle input's)
        if (idle) {
          idle = false;
          destination.next(WatermarkStatus.ACTIVE);
        }
        destination.next(Watermark.MAX);
      }
    };

    return {
      open(job) {
        const runtime = createRuntimeContext(name, options, job);
        batch = runtime.executionMode === 'batch';
        const scheduler = runtime.scheduler;
        generator = strategy.createWatermarkGenerator({ scheduler, currentProcessingTime: () => scheduler.now() });
        if (!batch && interval > 0) {
          const gen = generator;
          periodic = scheduler.schedule(function tick() {
            if (ended) return;
            try {
              gen.onPeriodicEmit(output);
            } catch (err) {
              failOperator(destination, origin, err);
              return;
            }
            this.schedule(undefined, interval);
          }, interval);
        }
      },
      record(value, previous, key) {
        if (idle) output.markActive();
        const ts: unknown = assigner !== undefined ? assigner(value, previous) : previous;
        if (!isTimestamp(ts)) {
          if (invalidOutput !== undefined) {
            destination.next(new SideOutput(invalidOutput, new StreamRecord(value, undefined, key)));
            return;
          }
          if (assigner !== undefined) {
            throw invalidTimestamp(origin, ts, `the timestamp assigner returned it for ${describeValue(value)}; it must return a finite number of milliseconds within ±Number.MAX_SAFE_INTEGER${fix}`);
          }
          throw ts === undefined
            ? invalidTimestamp(origin, value, `the record has no timestamp and the strategy has no timestamp assigner (use withTimestampAssigner)${fix}`)
            : invalidTimestamp(origin, ts, undefined);
        }
        destination.next(new StreamRecord(value, ts, key as K));
        generator!.onEvent(value, ts, output);
      },
      watermark(mark) {
        if (mark.time >= MAX_WATERMARK) end();
      },
      status() {},
      complete() {
        end();
      },
      finalize() {
        periodic?.unsubscribe();
      },
    };
  });
}
