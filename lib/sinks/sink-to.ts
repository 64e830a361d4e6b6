import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/stream-element';
import { checkOptions } from '../core/validate';
import { InvalidArgumentError } from '../core/errors';
import { type SinkContext, sinkOperator } from './sink-operator-internals';

/** Options of {@link sinkTo}. */
export interface SinkToOptions {
  /** Stable id (needed when the job checkpoints: the sink acknowledges barriers under it). */
  uid?: string;
  /** Display name in errors (default `sinkTo`). */
  name?: string;
}

/** Writes one value somewhere; a returned promise is awaited before the next value is written. */
export type SinkFunction<T> = (value: T, context: SinkContext) => void | PromiseLike<void>;

/** A sink that builds its own operator: a {@link TwoPhaseCommitSink}, a {@link WriteAheadSink}, a Redis sink... */
export interface SinkDefinition<T> {
  toOperator(): OperatorFunction<StreamElement<T, any>, never>;
}

/**
 * Ends a stream in a sink. Given a function, it writes every record's value with it, in order (a returned
 * promise is awaited before the next value), at least once: at a barrier it waits until everything before
 * the barrier is written before it acknowledges, so a completed checkpoint never covers a lost write, but
 * records replayed after a restore are written again. Given a sink object (a {@link TwoPhaseCommitSink},
 * a {@link WriteAheadSink}, a Redis sink), it runs that sink with its own guarantee.
 *
 * The resulting stream emits nothing: it completes once everything is written (and committed), and errors
 * when a write fails. Subscribe to it to run the job.
 *
 * ```text
 * input:   --a--b--|--|B|--c--|
 * fn:        a  b     (waits for a, b; acks B)  c
 * output:  -------------------------|
 * ```
 *
 * @example
 * ```ts
 * const job = new Job({ checkpoints: { interval: 1_000 } });
 * fromCollection([1, 2, 3], { job, uid: 'numbers' })
 *   .pipe(sinkTo((n) => fetch(`/api/numbers/${n}`, { method: 'PUT' }).then(() => {}), { uid: 'http' }))
 *   .subscribe({ complete: () => console.log('written') });
 * ```
 * @throws InvalidArgumentError when `sink` is neither a function nor a sink object.
 * @see collectSink, TwoPhaseCommitSink, Flink's `SinkFunction` / `DataStream.sinkTo`
 */
export function sinkTo<T>(sink: SinkFunction<T> | SinkDefinition<T>, options?: SinkToOptions): OperatorFunction<StreamElement<T, any>, never> {
  checkOptions('sinkTo', options);
  if (typeof sink === 'object' && sink !== null && typeof (sink as SinkDefinition<T>).toOperator === 'function') {
    return (sink as SinkDefinition<T>).toOperator();
  }
  if (typeof sink !== 'function') {
    throw new InvalidArgumentError({ operator: options?.name ?? 'sinkTo', uid: options?.uid }, 'sink', sink, 'must be a function (value, context) => void | Promise<void>, or a sink object');
  }
  const write = sink;
  return sinkOperator<T>({ operator: options?.name ?? 'sinkTo', uid: options?.uid }, () => ({
    open: () => {},
    write: (value, context) => write(value, context) as void | Promise<void>,
    // every write before the barrier has settled when this runs (the steps are serial)
    snapshot: () => ({ parts: true }),
  }));
}
