import type { OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { SinkContext } from '../sinks/sink-operator-internals';
import { bufferedRedisWrites } from './redis-buffered-writes';
import { RedisTwoPhaseSink, type RedisTwoPhaseSinkOptions, type RedisWrite } from './redis-two-phase-sink';

/** Options of {@link redisStreamSink}. */
export interface RedisStreamSinkOptions<T> extends RedisTwoPhaseSinkOptions {
  /** The stream key to XADD to, or a function of the record choosing it. */
  stream: string | ((value: T) => string);
  /** The entry's fields (default: the value's own enumerable fields, each as a string). */
  fields?: (value: T, context: SinkContext) => Record<string, string | number>;
  /** `'exactly-once'` (default: two-phase commit) or `'at-least-once'` (pipelined XADD as records come). */
  guarantee?: 'exactly-once' | 'at-least-once';
}

function fieldsOf(value: unknown): Record<string, string | number> {
  if (value === null || typeof value !== 'object') return { value: String(value) };
  return value as Record<string, string | number>;
}

/** Builds the XADD write of a record. */
export function streamWrite<T>(options: RedisStreamSinkOptions<T>): (value: T, context: SinkContext) => RedisWrite {
  const stream = options.stream;
  const fields = options.fields ?? ((v: T) => fieldsOf(v));
  return (value, context) => {
    const write = ['X', typeof stream === 'string' ? stream : stream(value)];
    const f = fields(value, context);
    for (const k in f) write.push(k, String(f[k]));
    return write;
  };
}

/**
 * Writes records as entries of a Redis Stream (XADD), exactly once by default: the entries of a
 * checkpoint are staged at its barrier and added, in one Lua script, when it completes; after a crash the
 * restored sink commits the staged entries of the restored checkpoint again (the script does nothing when
 * they were added already) and discards what no completed checkpoint covers. Readers see the entries of a
 * checkpoint at once, one checkpoint interval late. With `guarantee: 'at-least-once'` entries are added as
 * records come (pipelined, flushed at each barrier): replayed records are added again.
 *
 * ```text
 * input:   --a--b--|B1|--c--|
 * stream:          (after checkpoint 1 completes) a b   (at the end) c
 * ```
 *
 * @example
 * ```ts
 * fromRedisStream({ keys: 'clicks', job, uid: 'clicks' }).pipe(
 *   map((c) => ({ user: c.user, n: 1 })),
 *   redisStreamSink({ stream: 'clicks-out', uid: 'clicks-out', url: 'redis://127.0.0.1:6379' }),
 * )
 * ```
 * @throws InvalidArgumentError for bad options.
 * @see redisHashSink, TwoPhaseCommitSink, docs/exactly-once.md
 */
export function redisStreamSink<T>(options: RedisStreamSinkOptions<T>): OperatorFunction<StreamElement<T, any>, never> {
  const origin = { operator: options?.name ?? 'redisStreamSink', uid: options?.uid };
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(origin, 'options', options, "must be an object like { stream: 'out', uid: 'out' }");
  if (!(typeof options.stream === 'function' || (typeof options.stream === 'string' && options.stream.length > 0))) {
    throw new InvalidArgumentError(origin, 'stream', options.stream, 'must be a stream key or a function (value) => key');
  }
  const toWrite = streamWrite(options);
  if (options.guarantee === 'at-least-once') {
    return bufferedRedisWrites(origin, options, options.batchSize ?? 1000, toWrite, (p, w) => p.xadd(w[1]!, '*', ...w.slice(2)));
  }
  return new RedisTwoPhaseSink<T>(options, toWrite, 'redisStreamSink').toOperator();
}
