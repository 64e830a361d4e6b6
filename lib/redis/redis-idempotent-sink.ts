import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { SinkContext } from '../sinks/sink-operator-internals';
import { bufferedRedisWrites } from './redis-buffered-writes';
import type { RedisConnectionOptions } from './redis-connection';

/** Options of {@link redisIdempotentSink}. */
export interface RedisIdempotentSinkOptions<T> extends RedisConnectionOptions {
  /** Stable id (needed when the job checkpoints). */
  uid?: string;
  /** Display name in errors. */
  name?: string;
  /** The key a record is written to: it must be a function of the record alone (deterministic). */
  key: (value: T) => string;
  /** The value: a string (SET) or fields (HSET). */
  value: (value: T, context: SinkContext) => string | Record<string, string | number>;
  /** Writes per pipeline (default 1000). */
  batchSize?: number;
}

/**
 * Writes each record to a key derived from the record (SET for a string, HSET for fields), pipelined and
 * flushed at each barrier. Delivery is at least once, but a replayed record writes the same value to the
 * same key, so the final state is the same as exactly once; in between, after a crash, a reader may see a
 * key go back to an older value and be replayed forward.
 *
 * ```text
 * input:  --(w1,ann,3)--(w1,bob,1)--|
 * redis:  counts:w1:ann = 3, counts:w1:bob = 1
 * ```
 *
 * @example
 * ```ts
 * windowCounts$.pipe(redisIdempotentSink({ key: (c) => `counts:${c.window}:${c.user}`, value: (c) => String(c.n), uid: 'counts' }))
 * ```
 * @throws InvalidArgumentError for bad options.
 * @see redisHashSink for a transactional alternative
 */
export function redisIdempotentSink<T>(options: RedisIdempotentSinkOptions<T>): OperatorFunction<StreamElement<T, any>, never> {
  const origin = { operator: options?.name ?? 'redisIdempotentSink', uid: options?.uid };
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(origin, 'options', options, 'must be an object like { key, value }');
  if (typeof options.key !== 'function') throw new InvalidArgumentError(origin, 'key', options.key, 'must be a function (value) => key');
  if (typeof options.value !== 'function') throw new InvalidArgumentError(origin, 'value', options.value, 'must be a function (value) => string | fields');
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(origin, 'batchSize', batchSize, 'must be a positive integer');
  const { key, value } = options;
  return bufferedRedisWrites<T>(
    origin,
    options,
    batchSize,
    (v, context) => {
      const out = value(v, context);
      if (typeof out === 'string') return ['S', key(v), out];
      const write = ['H', key(v)];
      for (const k in out) write.push(k, String(out[k]));
      return write;
    },
    (p, w) => {
      if (w[0] === 'S') p.set(w[1]!, w[2]!);
      else p.hset(w[1]!, ...w.slice(2));
    },
  );
}
