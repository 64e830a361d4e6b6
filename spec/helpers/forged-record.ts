import { StreamRecord, type Key } from '../../lib/index';

/**
 * A record with a timestamp the `StreamRecord` constructor would refuse (NaN, a string...), built around
 * the constructor as a record from another copy of the library or one mutated by plain JavaScript would
 * be: the operators downstream must refuse it on their own.
 */
export function forgedRecord<T>(value: T, timestamp: unknown, key?: Key): StreamRecord<T> {
  const r = Object.create(StreamRecord.prototype) as StreamRecord<T>;
  Object.assign(r, { kind: 0, value, timestamp, key });
  return r;
}
