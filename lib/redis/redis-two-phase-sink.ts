import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SinkError, InvalidArgumentError } from '../core/errors';
import type { SinkContext } from '../sinks/sink-operator-internals';
import { TwoPhaseCommitSink, type TwoPhaseCommitSinkContext } from '../sinks/two-phase-commit-sink';
import { openConnection, type RedisConnectionOptions } from './redis-connection';

/** A Redis write as the staging area keeps it: `['X', stream, f1, v1, ...]` (XADD) or `['H', key, f1, v1, ...]` (HSET). */
export type RedisWrite = readonly string[];

/** Options shared by the two-phase-commit Redis sinks. */
export interface RedisTwoPhaseSinkOptions extends RedisConnectionOptions {
  /** Stable id: the sink's transactions are stored in checkpoints under it, its staging keys are named by it. */
  uid: string;
  /** Display name in errors. */
  name?: string;
  /** Prefix of the staging keys (default `tidemark:staging`). */
  stagingPrefix?: string;
  /** Writes per staged chunk (one RPUSH of a JSON array; default 1000). */
  batchSize?: number;
  /** How many times a commit is tried again after Redis failed it (default 20, with a growing pause up to 1 s). */
  commitRetries?: number;
}

/** A transaction: its id; its writes are staged under `<stagingPrefix>:<uid>:<subtask>:txn:<id>`. */
export interface RedisTransaction {
  readonly id: string;
}

// Applies every staged write of one transaction, then deletes the staging list and the registry entry, in
// one script (atomic). Run again after it ran, the staging list is gone: it does nothing.
const COMMIT = `
local n = 0
local chunks = redis.call('LRANGE', KEYS[1], 0, -1)
for _, chunk in ipairs(chunks) do
  local ops = cjson.decode(chunk)
  for _, op in ipairs(ops) do
    if op[1] == 'X' then
      redis.call('XADD', op[2], '*', unpack(op, 3))
    else
      redis.call('HSET', op[2], unpack(op, 3))
    end
    n = n + 1
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return n
`;

function isConnectionError(err: unknown): boolean {
  const m = err instanceof Error ? err.message : String(err);
  return /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|max retries|Stream isn't writeable|LOADING|connect ETIMEDOUT|MaxRetriesPerRequest/i.test(m);
}

/**
 * The two-phase-commit sink behind `redisStreamSink` and `redisHashSink`: records become Redis writes,
 * staged per transaction in a Redis list (pipelined RPUSH of JSON chunks) as they come and at the barrier
 * (pre-commit), and applied by one Lua script when the checkpoint completes (commit: the writes, the
 * deletion of the staging list and of the registry entry, atomically; a repeated commit finds no staging
 * list and does nothing). Every transaction with staged writes is in a registry set, so a restored sink
 * aborts what an earlier run staged for checkpoints that never completed.
 *
 * Exactly once needs Redis to keep what it acknowledged across its own restarts (AOF with
 * `appendfsync always`, or a replica): a Redis that loses the staging lists loses those records.
 */
export class RedisTwoPhaseSink<T> extends TwoPhaseCommitSink<T, RedisTransaction> {
  private redis: Redis | undefined;
  private description = '';
  private readonly prefix: string;
  private readonly batchSize: number;
  private readonly commitRetries: number;
  private registry = '';
  private stagingBase = '';
  private readonly runId = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly buffers = new Map<string, string[][]>();

  constructor(
    private readonly options: RedisTwoPhaseSinkOptions,
    private readonly toWrite: (value: T, context: SinkContext) => RedisWrite,
    kind: string,
  ) {
    super({ uid: options?.uid, name: options?.name ?? kind });
    this.prefix = options.stagingPrefix ?? 'tidemark:staging';
    this.batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new InvalidArgumentError({ operator: this.name, uid: this.uid }, 'batchSize', this.batchSize, 'must be a positive integer');
    this.commitRetries = options.commitRetries ?? 20;
  }

  private stagingKey(id: string): string {
    return `${this.stagingBase}${id}`;
  }

  private client(): Redis {
    if (this.redis === undefined) throw new SinkError({ operator: this.name, uid: this.uid }, 'the sink is not open');
    return this.redis;
  }

  protected override open(context: TwoPhaseCommitSinkContext): void {
    const { redis, description } = openConnection(this.options);
    redis.defineCommand('tidemarkCommit', { numberOfKeys: 2, lua: COMMIT });
    this.redis = redis;
    this.description = description;
    const base = `${this.prefix}:${context.jobName}:${this.uid}:${context.subtaskIndex}`;
    this.registry = `${base}:txns`;
    this.stagingBase = `${base}:txn:`;
  }

  protected override async close(): Promise<void> {
    const r = this.redis;
    this.redis = undefined;
    if (r !== undefined) await r.quit().catch(() => r.disconnect());
  }

  protected beginTransaction(): RedisTransaction {
    const id = `${this.runId}-${this.seq++}`;
    this.buffers.set(id, []);
    return { id };
  }

  protected invoke(txn: RedisTransaction, value: T, context: SinkContext): void | Promise<void> {
    const buffer = this.buffers.get(txn.id)!;
    buffer.push(this.toWrite(value, context) as string[]);
    return buffer.length >= this.batchSize ? this.flush(txn) : undefined;
  }

  private async flush(txn: RedisTransaction): Promise<void> {
    const buffer = this.buffers.get(txn.id);
    if (buffer === undefined || buffer.length === 0) return;
    this.buffers.set(txn.id, []);
    try {
      await this.client().multi().sadd(this.registry, txn.id).rpush(this.stagingKey(txn.id), JSON.stringify(buffer)).exec();
    } catch (err) {
      throw new SinkError({ operator: this.name, uid: this.uid }, `staging the writes of transaction ${txn.id} in ${this.description} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  protected preCommit(txn: RedisTransaction): Promise<void> {
    return this.flush(txn).then(() => {
      this.buffers.delete(txn.id);
    });
  }

  protected async commit(txn: RedisTransaction): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await (this.client() as unknown as { tidemarkCommit(k1: string, k2: string, id: string): Promise<number> }).tidemarkCommit(this.stagingKey(txn.id), this.registry, txn.id);
        return;
      } catch (err) {
        if (!isConnectionError(err) || attempt >= this.commitRetries) {
          throw new SinkError({ operator: this.name, uid: this.uid }, `committing transaction ${txn.id} in ${this.description} failed: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * (attempt + 1), 1_000)));
      }
    }
  }

  protected async abort(txn: RedisTransaction): Promise<void> {
    this.buffers.delete(txn.id);
    if (this.redis === undefined) return;
    await this.redis.multi().del(this.stagingKey(txn.id)).srem(this.registry, txn.id).exec();
  }

  /** Everything still in the registry after recovery belongs to no completed checkpoint. */
  protected override async abortLingering(): Promise<void> {
    const r = this.client();
    const ids = await r.smembers(this.registry);
    if (ids.length === 0) return;
    const m = r.multi();
    for (const id of ids) m.del(this.stagingKey(id));
    m.srem(this.registry, ...ids);
    await m.exec();
  }
}
