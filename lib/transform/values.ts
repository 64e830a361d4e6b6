import type { OperatorFunction } from 'rxjs';
import { operateElements } from '../core/operate-elements';
import type { StreamElement } from '../core/stream-element';

const ignore = (): void => {};

/**
 * Leaves the tidemark world: emits each record's value as a plain value and drops watermarks, barriers,
 * side outputs and other control elements. RxJS's own operators apply to what it returns.
 *
 * ```text
 * source:    --a(1)--W(5)--b(6)--|
 * values()   --a-----------b-----|
 * ```
 *
 * @example
 * ```ts
 * counts$.pipe(values()).subscribe((c) => console.log(c))
 * ```
 * @see sideOutput
 */
export function values<T>(): OperatorFunction<StreamElement<T, unknown>, T> {
  return operateElements<T, T>({ name: 'values' }, (destination) => ({
    record: (value) => destination.next(value),
    watermark: ignore,
    status: ignore,
    barrier: ignore,
    sideOutput: ignore,
    start: ignore,
  }));
}
