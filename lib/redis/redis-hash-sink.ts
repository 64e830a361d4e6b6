import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { SinkContext } from '../sinks/sink-operator-internals';
import { RedisTwoPhaseSink, type RedisTwoPhaseSinkOptions } from './redis-two-phase-sink';

/** Options of {@link redisHashSink}. */
export interface RedisHashSinkOptions<T> extends RedisTwoPhaseSinkOptions {
  /** The hash key, or a function of the record choosing it. */
  key: string | ((value: T) => string);
  /** The fields to set (HSET) for a record. */
  fields: (value: T, context: SinkContext) => Record<string, string | number>;
}

/**
 * Sets fields of Redis hashes (HSET), exactly once: the writes of a checkpoint are staged at its barrier
 * and applied, in one Lua script, when it completes (a repeated commit does nothing); readers see the
 * writes of a checkpoint at once. Use it for results keyed by something (a window's key and end), where
 * the latest value per field is what counts.
 *
 * ```text
 * input:   --(ann,3)--(bob,1)--|B1|--(ann,4)--|
 * hash:    (after checkpoint 1) ann=3 bob=1   (at the end) ann=4
 * ```
 *
 * @example
 * ```ts
 * counts$.pipe(redisHashSink({ key: 'clicks-per-user', fields: (c) => ({ [c.user]: c.n }), uid: 'counts-hash' }))
 * ```
 * @throws InvalidArgumentError for bad options.
 * @see redisStreamSink, redisIdempotentSink
 */
export function redisHashSink<T>(options: RedisHashSinkOptions<T>): OperatorFunction<StreamElement<T, any>, never> {
  const origin = { operator: options?.name ?? 'redisHashSink', uid: options?.uid };
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(origin, 'options', options, "must be an object like { key: 'out', fields, uid: 'out' }");
  const key = options.key;
  if (!(typeof key === 'function' || (typeof key === 'string' && key.length > 0))) throw new InvalidArgumentError(origin, 'key', key, 'must be a hash key or a function (value) => key');
  if (typeof options.fields !== 'function') throw new InvalidArgumentError(origin, 'fields', options.fields, 'must be a function (value) => { field: value }');
  const fields = options.fields;
  return new RedisTwoPhaseSink<T>(
    options,
    (value, context) => {
      const write = ['H', typeof key === 'string' ? key : key(value)];
      const f = fields(value, context);
      for (const k in f) write.push(k, String(f[k]));
      return write;
    },
    'redisHashSink',
  ).toOperator();
}
