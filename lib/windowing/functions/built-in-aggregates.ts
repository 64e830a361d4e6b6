import { InvalidArgumentError } from '../../core/errors';
import { comparableField, withField } from '../../keyed/rolling-aggregate-internals';
import type { AggregateFunction } from './window-functions';
import { checkBoolean, checkField } from '../../core/validate';

type Field = string | number | undefined;

const read = (fn: string, value: unknown, field: Field): number | bigint | string => comparableField({ operator: fn }, value, field);

interface FieldAcc<T> {
  first: T | undefined;
  acc: number | bigint | string | undefined;
}

function fieldAggregate<T>(fn: string, field: Field, combine: (a: number | bigint | string, b: number | bigint | string) => number | bigint | string): AggregateFunction<T, FieldAcc<T>, T> {
  checkField({ operator: fn }, 'field', field);
  return {
    createAccumulator: () => ({ first: undefined, acc: undefined }),
    add: (value, acc) => {
      const v = read(fn, value, field);
      if (acc.first === undefined) return { first: value, acc: v };
      acc.acc = combine(acc.acc!, v);
      return acc;
    },
    getResult: (acc) => withField(acc.first as T, field, acc.acc),
    merge: (a, b) => (a.first === undefined ? b : b.first === undefined ? a : { first: a.first, acc: combine(a.acc!, b.acc!) }),
  };
}

/**
 * Sums a field over the window: the result is the window's first element with `field` set to the sum
 * (Flink's `WindowedStream.sum`). Omit the field for a stream of numbers.
 * @example `tumblingEventWindow(1000, { aggregate: windowSum('amount') })`
 */
export function windowSum<T>(field?: string | number): AggregateFunction<T, FieldAcc<T>, T> {
  return fieldAggregate<T>('windowSum', field, (a, b) => {
    if (typeof a === 'string' || typeof b === 'string') throw new InvalidArgumentError({ operator: 'windowSum' }, 'the field', a, 'must be a number or bigint to be summed');
    return (a as number) + (b as number);
  });
}

/** The window's first element with `field` set to its minimum (Flink's `WindowedStream.min`). @example `{ aggregate: windowMin('price') }` */
export function windowMin<T>(field?: string | number): AggregateFunction<T, FieldAcc<T>, T> {
  return fieldAggregate<T>('windowMin', field, (a, b) => (b < a ? b : a));
}

/** The window's first element with `field` set to its maximum (Flink's `WindowedStream.max`). @example `{ aggregate: windowMax('price') }` */
export function windowMax<T>(field?: string | number): AggregateFunction<T, FieldAcc<T>, T> {
  return fieldAggregate<T>('windowMax', field, (a, b) => (b > a ? b : a));
}

interface ByAcc<T> {
  best: T | undefined;
  v: number | bigint | string | undefined;
}

function byAggregate<T>(fn: string, field: Field, better: (a: number | bigint | string, b: number | bigint | string) => boolean, first: boolean): AggregateFunction<T, ByAcc<T>, T> {
  checkField({ operator: fn }, 'field', field);
  checkBoolean({ operator: fn }, 'first', first, 'keep the first of equal elements');
  return {
    createAccumulator: () => ({ best: undefined, v: undefined }),
    add: (value, acc) => {
      const v = read(fn, value, field);
      if (acc.best === undefined || better(v, acc.v!) || (!first && v === acc.v)) return { best: value, v };
      return acc;
    },
    getResult: (acc) => acc.best as T,
    merge: (a, b) => (a.best === undefined ? b : b.best === undefined ? a : better(b.v!, a.v!) || (!first && b.v === a.v) ? b : a),
  };
}

/** The element with the smallest `field` (the first on ties, or the last when `first` is false). @example `{ aggregate: windowMinBy('price') }` */
export function windowMinBy<T>(field?: string | number, first = true): AggregateFunction<T, ByAcc<T>, T> {
  return byAggregate<T>('windowMinBy', field, (a, b) => a < b, first);
}

/** The element with the largest `field` (the first on ties, or the last when `first` is false). @example `{ aggregate: windowMaxBy('price') }` */
export function windowMaxBy<T>(field?: string | number, first = true): AggregateFunction<T, ByAcc<T>, T> {
  return byAggregate<T>('windowMaxBy', field, (a, b) => a > b, first);
}

/** Counts the window's elements. @example `slidingEventWindow(10_000, 5_000, { aggregate: windowCount() })` */
export function windowCount<T = unknown>(): AggregateFunction<T, number, number> {
  return {
    createAccumulator: () => 0,
    add: (_v, acc) => acc + 1,
    getResult: (acc) => acc,
    merge: (a, b) => a + b,
  };
}
