import type { Observable } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { keyBy } from '../keyed/key-by';
import { OperatorHarnessBase, type OperatorHarnessOptions } from './harness-internals';

/** Builds a two-input operator's output from its two inputs, e.g. `(a$, b$) => connect(a$, b$).process(fn)`. */
export type TwoInputOperator<In1, In2, Out> = (first: Observable<StreamElement<In1>>, second: Observable<StreamElement<In2>>) => Observable<StreamElement<Out>>;

/**
 * Drives a two-input operator (`connect(...).process`, `intervalJoin`, `union`, `windowJoin`...)
 * synchronously: push records and watermarks into each input, set processing time, snapshot and restore,
 * and read the outputs apart, as {@link OperatorHarness} does for one input.
 *
 * It's like Flink's `TwoInputStreamOperatorTestHarness` (and `KeyedTwoInputStreamOperatorTestHarness`
 * with {@link TwoInputOperatorHarness.forKeyed}).
 *
 * ```text
 * processElement1(a, 5)  processElement2(b, 7)  processWatermark1(10)  processWatermark2(8)
 * output watermark: the minimum over both inputs, W(8) after the last call
 * ```
 *
 * @example
 * ```ts
 * const harness = TwoInputOperatorHarness.forOperator((a$: Observable<StreamElement<number>>, b$: Observable<StreamElement<number>>) => a$.pipe(union(b$)));
 * harness.processElement1(1, 5).processElement2(2, 7).processBothWatermarks(10);
 * harness.outputValues() // [1, 2]
 * ```
 * @typeParam In1 the first input's values.
 * @typeParam In2 the second input's values.
 * @typeParam Out the main-output values.
 * @see OperatorHarness, Flink's `TwoInputStreamOperatorTestHarness`
 */
export class TwoInputOperatorHarness<In1, In2, Out> extends OperatorHarnessBase<Out> {
  private constructor(operator: TwoInputOperator<In1, In2, Out>, options: OperatorHarnessOptions | undefined) {
    super(2, (inputs) => operator(inputs[0] as Observable<StreamElement<In1>>, inputs[1] as Observable<StreamElement<In2>>), options);
  }

  /**
   * A harness for the operator `operator` builds from two inputs.
   * @example `TwoInputOperatorHarness.forOperator((a$, b$) => connect(a$, b$).process(fn, { uid: 'p' }))`
   */
  static forOperator<In1, In2, Out>(operator: TwoInputOperator<In1, In2, Out>, options?: OperatorHarnessOptions): TwoInputOperatorHarness<In1, In2, Out> {
    if (typeof operator !== 'function') {
      throw new InvalidArgumentError({ operator: 'TwoInputOperatorHarness.forOperator' }, 'operator', operator, 'must be a function (first$, second$) => output$');
    }
    return new TwoInputOperatorHarness(operator, options);
  }

  /**
   * A harness whose inputs are keyed by `key1` and `key2` (as `keyBy` does) before the operator sees them.
   * @example `TwoInputOperatorHarness.forKeyed((a$, b$) => connect(a$, b$).process(fn), (o: Order) => o.id, (p: Payment) => p.orderId)`
   */
  static forKeyed<In1, In2, Out>(
    operator: TwoInputOperator<In1, In2, Out>,
    key1: (value: In1) => Key,
    key2: (value: In2) => Key,
    options?: OperatorHarnessOptions,
  ): TwoInputOperatorHarness<In1, In2, Out> {
    if (typeof key1 !== 'function' || typeof key2 !== 'function') {
      const [option, value] = typeof key1 !== 'function' ? ['key1', key1] : ['key2', key2];
      throw new InvalidArgumentError({ operator: 'TwoInputOperatorHarness.forKeyed' }, option, value, 'must be a function (value) => key');
    }
    return TwoInputOperatorHarness.forOperator<In1, In2, Out>((a, b) => operator(a.pipe(keyBy(key1)), b.pipe(keyBy(key2))), options);
  }

  /** Pushes a record into the first input. */
  processElement1(value: In1, timestamp?: Timestamp): this {
    this.push(0, new StreamRecord(value, timestamp));
    return this;
  }

  /** Pushes a record into the second input. */
  processElement2(value: In2, timestamp?: Timestamp): this {
    this.push(1, new StreamRecord(value, timestamp));
    return this;
  }

  /** Pushes any element into the first input. */
  processStreamElement1(element: StreamElement<In1>): this {
    this.push(0, element);
    return this;
  }

  /** Pushes any element into the second input. */
  processStreamElement2(element: StreamElement<In2>): this {
    this.push(1, element);
    return this;
  }

  /** Pushes a watermark into the first input. */
  processWatermark1(time: Timestamp): this {
    this.push(0, new Watermark(time));
    return this;
  }

  /** Pushes a watermark into the second input. */
  processWatermark2(time: Timestamp): this {
    this.push(1, new Watermark(time));
    return this;
  }

  /** Pushes a watermark into both inputs. */
  processBothWatermarks(time: Timestamp): this {
    this.push(0, new Watermark(time));
    this.push(1, new Watermark(time));
    return this;
  }

  /** Ends the first input as a source does: its end-of-input watermark, then completion. */
  endInput1(): this {
    this.end(0);
    return this;
  }

  /** Ends the second input as a source does: its end-of-input watermark, then completion. */
  endInput2(): this {
    this.end(1);
    return this;
  }
}
