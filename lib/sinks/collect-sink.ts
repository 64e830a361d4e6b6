import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { checkOptions } from '../core/validate';
import { sinkOperator } from './sink-operator-internals';
import type { SinkToOptions } from './sink-to';

/**
 * A sink for tests: pushes every record's value onto `results` as it arrives (at least once: after a
 * restore, replayed records are pushed again). The stream completes at the end of input.
 *
 * ```text
 * input:   --a--b--|
 * results: [a, b]
 * ```
 *
 * @example
 * ```ts
 * const results: number[] = [];
 * fromCollection([1, 2, 3]).pipe(map((n) => n * 2), collectSink(results)).subscribe({ complete: () => console.log(results) }); // [2, 4, 6]
 * ```
 * @throws InvalidArgumentError when `results` is not an array.
 * @see sinkTo
 */
export function collectSink<T>(results: T[], options?: SinkToOptions): OperatorFunction<StreamElement<T, any>, never> {
  checkOptions('collectSink', options);
  if (!Array.isArray(results)) throw new InvalidArgumentError({ operator: options?.name ?? 'collectSink', uid: options?.uid }, 'results', results, 'must be an array to push the values onto');
  return sinkOperator<T>({ operator: options?.name ?? 'collectSink', uid: options?.uid }, () => ({
    open: () => {},
    write: (value) => {
      results.push(value);
    },
    snapshot: () => ({ parts: true }),
  }));
}
