import { NotKeyedError } from '../core/errors';
import type { OutputTag } from '../core/output-tag';
import type { RichFunction } from '../core/runtime-context';
import type { Collector, Key, Timestamp } from '../core/types';
import type { TimerService } from '../time/timer-service';

/**
 * What `processElement` receives besides the value: the record's timestamp, time, side outputs and (on a
 * keyed stream) the current key.
 */
export interface ProcessContext<K = Key> {
  /** The record's event timestamp, or `undefined` when it has none. */
  timestamp(): Timestamp | undefined;
  /** The operator's current watermark. */
  currentWatermark(): Timestamp;
  /** The scheduler's current time. */
  currentProcessingTime(): Timestamp;
  /** Time and timers; registering a timer outside `keyedProcess` throws {@link NotKeyedError}. */
  timerService(): TimerService;
  /** Emits `value` to the side output `tag`, with the current record's timestamp and key. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The current record's key, or `undefined` on a non-keyed stream. */
  getCurrentKey(): K | undefined;
}

/**
 * A process function (Flink's `ProcessFunction`): the lowest-level one-input function, with access to
 * timestamps, the watermark and side outputs.
 */
export interface ProcessFunction<I, O, K = Key> extends RichFunction {
  /** Collects any number of results into `out`, or returns one (a returned value other than `undefined` is emitted). */
  processElement(value: I, ctx: ProcessContext<K>, out: Collector<O>): O | undefined | void;
}

/** A timer service for a non-keyed stream: time works, timers throw as in Flink. */
export function nonKeyedTimerService(
  operator: string,
  uid: string | undefined,
  watermark: () => Timestamp,
  processingTime: () => Timestamp,
): TimerService {
  const refuse = (): never => {
    throw new NotKeyedError({ operator, uid }, 'setting timers');
  };
  return {
    currentWatermark: watermark,
    currentProcessingTime: processingTime,
    registerEventTimeTimer: refuse,
    registerProcessingTimeTimer: refuse,
    deleteEventTimeTimer: refuse,
    deleteProcessingTimeTimer: refuse,
  };
}
