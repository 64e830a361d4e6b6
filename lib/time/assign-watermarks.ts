import type { OperatorFunction, Subscription } from 'rxjs';
import { type ErrorOrigin, InvalidArgumentError, InvalidTimestampError } from '../core/errors';
import { operateElements } from '../core/operate-elements';
import { createRuntimeContext, type OperatorOptions } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { MAX_WATERMARK, MIN_WATERMARK, type Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';
import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator';
import type { WatermarkStrategy } from './watermark-strategy';

/** Options of {@link assignWatermarks}. */
export interface AssignWatermarksOptions extends OperatorOptions {
  /** Periodic emit interval in ms of processing time (default 200; 0 turns periodic emits off). */
  interval?: number;
}

/** Throws unless `ts` is a finite number within the safe-integer range. */
export function checkTimestamp(origin: ErrorOrigin, ts: unknown): asserts ts is Timestamp {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) {
    throw new InvalidTimestampError(origin, ts, 'the timestamp assigner must return a finite number of milliseconds');
  }
  if (ts > MAX_WATERMARK || ts < MIN_WATERMARK) {
    throw new InvalidTimestampError(origin, ts, 'a timestamp must lie within ±Number.MAX_SAFE_INTEGER');
  }
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
 * @example
 * ```ts
 * clicks$.pipe(assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5_000).withTimestampAssigner((c: Click) => c.ts)))
 * ```
 * @throws InvalidTimestampError (as an error notification) when the assigner returns NaN, ±Infinity, a
 * non-number, or when a record has no timestamp and there is no assigner.
 * @see WatermarkStrategy, Flink's `TimestampsAndWatermarksOperator`
 */
export function assignWatermarks<T>(
  strategy: WatermarkStrategy<T>,
  options?: AssignWatermarksOptions,
): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  const name = options?.name ?? 'assignWatermarks';
  const interval = options?.interval ?? 200;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    throw new InvalidArgumentError({ operator: name, uid: options?.uid }, 'interval', interval, 'must be a finite number of milliseconds >= 0');
  }
  const assigner = strategy.timestampAssigner;
  return operateElements<T, StreamElement<T>>({ name, options }, (destination, origin) => {
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
              destination.error(err);
              return;
            }
            this.schedule(undefined, interval);
          }, interval);
        }
      },
      record(value, previous, key) {
        if (idle) output.markActive();
        let ts: Timestamp;
        if (assigner !== undefined) {
          const raw: unknown = assigner(value, previous);
          checkTimestamp(origin, raw);
          ts = raw;
        } else {
          if (previous === undefined) {
            throw new InvalidTimestampError(origin, value, 'the record has no timestamp and the strategy has no timestamp assigner (use withTimestampAssigner)');
          }
          ts = previous;
        }
        destination.next(new StreamRecord(value, ts, key));
        generator!.onEvent(value, ts, output);
      },
      watermark(mark) {
        if (mark.time >= MAX_WATERMARK) end();
      },
      status() {},
      complete() {
        end();
        destination.complete();
      },
      finalize() {
        periodic?.unsubscribe();
      },
    };
  });
}
