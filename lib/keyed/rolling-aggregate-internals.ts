/**
 * Machinery shared by the rolling aggregations (`sum`, `min`, `max`, `minBy`, `maxBy`, `reduce`): one
 * `Map` from key to a small mutable state per key, one output record per input record (streaming) or one
 * final value per key at the end of input (batch).
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { type ErrorOrigin, InvalidArgumentError, NotKeyedError } from '../core/errors';
import { operateElements } from '../core/operate-elements';
import type { OperatorOptions } from '../core/runtime-context';
import { effectiveMode } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { mapKey } from './key-group';

/** Names a field: a property name, a tuple (array) index, or nothing for a stream of plain numbers. */
export type FieldRef<T> = T extends readonly unknown[] ? number : T extends object ? keyof T & (string | number) : undefined;

/** How one rolling aggregation starts, updates and renders its per-key state. */
export interface RollingSpec<T, S> {
  create(value: T): S;
  /** Returns the new state (may be the same object, updated in place). */
  update(state: S, value: T): S;
  result(state: S): T;
}

class KeyState<S> {
  constructor(
    public state: S,
    public readonly key: Key,
    public timestamp: Timestamp | undefined,
  ) {}
}

/** Builds a keyed rolling aggregation operator from a {@link RollingSpec}. */
export function rollingAggregate<T, S>(
  name: string,
  options: OperatorOptions | undefined,
  spec: (origin: ErrorOrigin) => RollingSpec<T, S>,
): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return operateElements<T, StreamElement<T>>({ name: options?.name ?? name, options }, (destination, origin) => {
    const { create, update, result } = spec(origin);
    const states = new Map<unknown, KeyState<S>>();
    let batch = false;
    return {
      open(job) {
        batch = effectiveMode(job) === 'batch';
      },
      record(value, timestamp, key) {
        if (key === undefined) throw new NotKeyedError(origin);
        const mk = typeof key === 'object' ? mapKey(key) : key;
        let ks = states.get(mk);
        if (ks === undefined) {
          ks = new KeyState(create(value), key, timestamp);
          states.set(mk, ks);
        } else {
          ks.state = update(ks.state, value);
          ks.timestamp = timestamp;
        }
        if (!batch) destination.next(new StreamRecord(result(ks.state), timestamp, key));
      },
      watermark(mark) {
        if (!batch) destination.next(mark);
      },
      complete() {
        if (batch) {
          for (const ks of states.values()) destination.next(new StreamRecord(result(ks.state), ks.timestamp, ks.key));
          destination.next(Watermark.MAX);
        }
        destination.complete();
      },
    };
  });
}

/** Reads `field` of `value` (the value itself when `field` is undefined). */
export function readField(value: unknown, field: string | number | undefined): unknown {
  return field === undefined ? value : (value as Record<string | number, unknown>)[field];
}

/** A copy of `first` with `field` set to `fieldValue` (the value itself when `field` is undefined). */
export function withField<T>(first: T, field: string | number | undefined, fieldValue: unknown): T {
  if (field === undefined) return fieldValue as T;
  if (Array.isArray(first)) {
    const copy = first.slice();
    copy[field as number] = fieldValue;
    return copy as T;
  }
  return { ...(first as object), [field]: fieldValue } as T;
}

/** Reads a field that must be a number or bigint (for `sum`). */
export function numericField(origin: ErrorOrigin, value: unknown, field: string | number | undefined): number | bigint {
  const v = readField(value, field);
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new InvalidArgumentError(origin, field === undefined ? 'the value' : `field ${JSON.stringify(field)}`, v, 'must be a number or bigint to be summed');
}

/** Reads a field that must be comparable: a number, bigint or string (for `min`, `max`, `minBy`, `maxBy`). */
export function comparableField(origin: ErrorOrigin, value: unknown, field: string | number | undefined): number | bigint | string {
  const v = readField(value, field);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  throw new InvalidArgumentError(origin, field === undefined ? 'the value' : `field ${JSON.stringify(field)}`, v, 'must be a number, bigint or string to be compared');
}
