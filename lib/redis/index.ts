/**
 * `tidemark/redis`: Redis checkpoint storage, Redis Streams source and Redis sinks (ioredis is an optional
 * peer dependency). Node only.
 * @packageDocumentation
 */
export { RedisCheckpointStorage, type RedisCheckpointStorageOptions } from './redis-checkpoint-storage';
export { compareStreamIds, fromRedisStream, type FromRedisStreamOptions, type RedisStreamEntry, type RedisStreamGroup } from './from-redis-stream';
export type { RedisConnectionOptions } from './redis-connection';
export { redisStreamSink, type RedisStreamSinkOptions } from './redis-stream-sink';
export { redisHashSink, type RedisHashSinkOptions } from './redis-hash-sink';
export { redisIdempotentSink, type RedisIdempotentSinkOptions } from './redis-idempotent-sink';
export { RedisCheckpointCommitter, type RedisCheckpointCommitterOptions } from './redis-checkpoint-committer';
export type { RedisTransaction, RedisTwoPhaseSinkOptions, RedisWrite } from './redis-two-phase-sink';
