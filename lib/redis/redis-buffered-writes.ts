import type { OperatorFunction } from 'rxjs';
import type { Redis } from 'ioredis';
import { type ErrorOrigin, SinkError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { type SinkContext, sinkOperator } from '../sinks/sink-operator-internals';
import { openConnection, type RedisConnectionOptions } from './redis-connection';
import type { RedisWrite } from './redis-two-phase-sink';

/**
 * A sink that sends Redis writes as they come, pipelined in batches of `batchSize`, and flushes at each
 * barrier (it acknowledges once the writes before it are in Redis) and at the end of input: at least once.
 * With writes that set deterministic keys, replays overwrite with the same values: idempotent.
 */
export function bufferedRedisWrites<T>(
  origin: ErrorOrigin,
  connection: RedisConnectionOptions,
  batchSize: number,
  toWrite: (value: T, context: SinkContext) => RedisWrite,
  apply: (pipeline: ReturnType<Redis['pipeline']>, write: RedisWrite) => void,
): OperatorFunction<StreamElement<T, any>, never> {
  return sinkOperator<T>(origin, () => {
    let redis: Redis | undefined;
    let description = '';
    let buffer: RedisWrite[] = [];
    const flush = async (): Promise<void> => {
      if (buffer.length === 0 || redis === undefined) return;
      const writes = buffer;
      buffer = [];
      const p = redis.pipeline();
      for (const w of writes) apply(p, w);
      const results = (await p.exec()) ?? [];
      for (const [err] of results) {
        if (err) throw new SinkError(origin, `writing to ${description} failed: ${err.message}`, { cause: err });
      }
    };
    const close = (): void => {
      const r = redis;
      redis = undefined;
      r?.quit().catch(() => r.disconnect());
    };
    return {
      open: () => {
        ({ redis, description } = openConnection(connection));
      },
      write: (value, context) => {
        buffer.push(toWrite(value, context));
        return buffer.length >= batchSize ? flush() : undefined;
      },
      snapshot: () => flush().then(() => ({ parts: true as const })),
      finish: async () => {
        await flush();
        close();
      },
      abandon: close,
    };
  });
}
