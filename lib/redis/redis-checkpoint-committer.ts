import type { Redis } from 'ioredis';
import type { CheckpointCommitter } from '../sinks/write-ahead-sink';
import { openConnection, type RedisConnectionOptions } from './redis-connection';

/** Options of {@link RedisCheckpointCommitter}. */
export interface RedisCheckpointCommitterOptions extends RedisConnectionOptions {
  /** The hash that records the last sent checkpoint per sink and subtask (default `tidemark:committed`). */
  key?: string;
}

/**
 * Records in a Redis hash which checkpoints a `WriteAheadSink` has sent (the last one per sink uid and
 * subtask: checkpoints are sent in order), so a restored sink does not send them again.
 *
 * @example
 * ```ts
 * const committer = new RedisCheckpointCommitter({ url: 'redis://127.0.0.1:6379' });
 * await committer.commitCheckpoint('print', 0, 7);
 * await committer.isCheckpointCommitted('print', 0, 5); // true
 * await committer.close();
 * ```
 * @see WriteAheadSink, Flink's `CheckpointCommitter`
 */
export class RedisCheckpointCommitter implements CheckpointCommitter {
  private readonly redis: Redis;
  private readonly key: string;
  constructor(options: RedisCheckpointCommitterOptions = {}) {
    this.redis = openConnection(options).redis;
    this.key = options.key ?? 'tidemark:committed';
  }
  async isCheckpointCommitted(uid: string, subtask: number, checkpointId: number): Promise<boolean> {
    const last = await this.redis.hget(this.key, `${uid}/${subtask}`);
    return last !== null && Number(last) >= checkpointId;
  }
  async commitCheckpoint(uid: string, subtask: number, checkpointId: number): Promise<void> {
    await this.redis.hset(this.key, `${uid}/${subtask}`, String(checkpointId));
  }
  /** Closes its connection. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
