import { Redis, type RedisOptions } from 'ioredis';

/** Where a Redis connector connects: a URL, or a client of yours (duplicated where a connection of its own is needed). */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (default `redis://127.0.0.1:6379`). Ignored when `client` is given. */
  url?: string;
  /** An ioredis client; the connector uses `client.duplicate()` and closes only that. */
  client?: Redis;
  /** Extra ioredis options for the connections the connector opens. */
  redisOptions?: RedisOptions;
}

/** Removes the password from a URL for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Opens a connection of the connector's own (it closes it), and describes where it goes. */
export function openConnection(options: RedisConnectionOptions): { redis: Redis; description: string } {
  if (options.client !== undefined) {
    const redis = options.client.duplicate(options.redisOptions ?? {});
    redis.on('error', () => {});
    return { redis, description: `redis ${options.client.options.host ?? ''}:${options.client.options.port ?? ''}` };
  }
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    ...options.redisOptions,
  });
  // Errors surface through the commands that fail; without a listener ioredis would print each retry.
  redis.on('error', () => {});
  return { redis, description: redactedUrl(url) };
}
