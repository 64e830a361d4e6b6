import type { Observable, OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';
import { keyBy } from '../keyed/key-by';
import { OperatorHarnessBase, type OperatorHarnessOptions } from './harness-internals';

/**
 * Drives a one-input operator synchronously, element by element, on a virtual processing-time clock:
 * push records and watermarks, set processing time to an exact value, take a snapshot and restore it
 * into a fresh operator, and read the main output, side outputs and watermarks apart.
 *
 * It's like Flink's `OneInputStreamOperatorTestHarness` (and, with {@link OperatorHarness.forKeyed},
 * `KeyedOneInputStreamOperatorTestHarness`), for any tidemark `OperatorFunction`.
 *
 * ```text
 * harness:  processElement(a, 1)  processWatermark(100)  setProcessingTime(50)  snapshot()
 * operator: ----a(1)--------------W(100)-----------------[timers due by 50]-----B(1)
 * ```
 *
 * The harness sends the job's start element first (its scheduler is the harness's clock, so operators
 * that take the job's scheduler run in virtual time; an operator given its own `scheduler` option keeps
 * it). Errors the operator reports are thrown by the call that caused them.
 *
 * @example
 * ```ts
 * const harness = OperatorHarness.forKeyed(keyedProcess(counter, { uid: 'counter' }), (v: Click) => v.user);
 * harness.processElement({ user: 'ann' }, 10);
 * harness.processWatermark(100);
 * const snapshot = harness.snapshot();
 * const restored = OperatorHarness.forKeyed(keyedProcess(counter, { uid: 'counter' }), (v: Click) => v.user).restore(snapshot);
 * restored.processElement({ user: 'ann' }, 200);
 * restored.outputValues();
 * ```
 * @typeParam In the operator's input values.
 * @typeParam Out the operator's main-output values.
 * @see TwoInputOperatorHarness, TriggerHarness, Flink's `OneInputStreamOperatorTestHarness`
 */
export class OperatorHarness<In, Out> extends OperatorHarnessBase<Out> {
  private constructor(operator: OperatorFunction<StreamElement<In>, StreamElement<Out>>, options: OperatorHarnessOptions | undefined) {
    super(1, (inputs) => (inputs[0] as Observable<StreamElement<In>>).pipe(operator), options);
  }

  /**
   * A harness for `operator`.
   * @example `OperatorHarness.forOperator(map((x: number) => x * 2))`
   */
  static forOperator<In, Out>(operator: OperatorFunction<StreamElement<In>, StreamElement<Out>>, options?: OperatorHarnessOptions): OperatorHarness<In, Out> {
    if (typeof operator !== 'function') {
      throw new InvalidArgumentError({ operator: 'OperatorHarness.forOperator' }, 'operator', operator, 'must be an operator function, e.g. keyedProcess(fn, { uid })');
    }
    return new OperatorHarness(operator, options);
  }

  /**
   * A harness for a keyed operator: every element is keyed by `keySelector` (as `keyBy` does) before
   * the operator sees it.
   * @example `OperatorHarness.forKeyed(keyedProcess(fn, { uid: 'p' }), (c: Click) => c.user)`
   */
  static forKeyed<In, Out>(
    operator: OperatorFunction<StreamElement<In>, StreamElement<Out>>,
    keySelector: (value: In) => Key,
    options?: OperatorHarnessOptions,
  ): OperatorHarness<In, Out> {
    if (typeof keySelector !== 'function') {
      throw new InvalidArgumentError({ operator: 'OperatorHarness.forKeyed' }, 'keySelector', keySelector, 'must be a function (value) => key');
    }
    return OperatorHarness.forOperator<In, Out>((source) => source.pipe(keyBy(keySelector), operator), options);
  }

  /** Pushes a record: `value` with event time `timestamp` (or none). */
  processElement(value: In, timestamp?: Timestamp): this {
    this.push(0, new StreamRecord(value, timestamp));
    return this;
  }

  /** Pushes any element: a plain value, a record (with a key, say), or a control element. */
  processStreamElement(element: StreamElement<In>): this {
    this.push(0, element);
    return this;
  }

  /** Pushes a watermark at `time`. */
  processWatermark(time: Timestamp): this {
    this.push(0, new Watermark(time));
    return this;
  }

  /** Pushes a watermark status: idle (`true`) or active. */
  processWatermarkStatus(idle: boolean): this {
    this.push(0, idle ? WatermarkStatus.IDLE : WatermarkStatus.ACTIVE);
    return this;
  }

  /** Ends the input as a source does: the end-of-input watermark (every event-time timer and window fires), then completion. */
  endInput(): this {
    this.end(0);
    return this;
  }
}
