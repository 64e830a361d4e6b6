import { Cluster, Redis, type RedisOptions } from 'ioredis';
import {
  type CheckpointMetadata,
  type CheckpointStorage,
  type StateHandle,
  type StatePart,
  OPERATOR_STATE,
  checkId,
  checkName,
  collectEntries,
  parseMetadata,
  partId,
  referencedParts,
  retainedIds,
  validateMetadata,
} from '../checkpoint/checkpoint-storage';
import { CheckpointError, StorageUnavailableError, TidemarkError } from '../core/errors';

/** Options of {@link RedisCheckpointStorage}. */
export interface RedisCheckpointStorageOptions {
  /**
   * Where Redis is: `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS (default
   * `redis://127.0.0.1:6379`). Ignored when `client` is given.
   */
  url?: string;
  /** An ioredis client (a `Redis` or a `Cluster`) to use instead of opening one; it is not closed by `close()`. */
  client?: Redis | Cluster;
  /** Prefix of every key (default `tidemark`). */
  prefix?: string;
  /** Fields per HSET command when writing a part (default 1000). */
  chunkSize?: number;
  /** Extra ioredis options when the storage opens its own connection. */
  redisOptions?: RedisOptions;
}

const ORIGIN = { operator: 'RedisCheckpointStorage' };

function redacted(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * Stores checkpoints and savepoints in Redis (or a Redis Cluster) through ioredis.
 *
 * Key layout (`P` is the prefix, `J` the job name, `G` a key group or `op` for operator state):
 *
 * ```text
 * P:{J}:ids            counter of checkpoint ids (INCR)
 * P:{J}:meta           hash: checkpoint id → metadata JSON (a checkpoint exists once its field does)
 * P:{J}:savepoints     hash: savepoint name → metadata JSON
 * P:{J}:parts          set of every written part (checkpointId/G/uid), for cleanup
 * P:{J/G}:<id>:<uid>   hash: one part of one operator's state: field → serialized value
 * ```
 *
 * State parts are hash-tagged by job and key group, so one job's state spreads over a cluster's nodes and
 * a subtask's key groups can sit with it; the small records of a job share one tag. Parts are written
 * pipelined in HSET commands of `chunkSize` fields (all parts of one operator's checkpoint in one
 * pipeline with `writeStates`); the metadata is one HSET, written last. Parts no checkpoint references
 * any more are deleted with UNLINK (Redis frees them in the background).
 *
 * It's like Flink's `FileSystemCheckpointStorage`, but on Redis.
 *
 * @example
 * ```ts
 * const storage = await RedisCheckpointStorage.connect({ url: 'redis://127.0.0.1:6379' });
 * const latest = await storage.latestCheckpoint('clicks');
 * await storage.close();
 * ```
 * @throws {@link StorageUnavailableError} from `connect` when Redis cannot be reached, and from any method
 * whose command fails for that reason.
 */
export class RedisCheckpointStorage implements CheckpointStorage {
  readonly description: string;
  private readonly redis: Redis | Cluster;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly chunkSize: number;

  constructor(options: RedisCheckpointStorageOptions = {}) {
    this.prefix = options.prefix ?? 'tidemark';
    if (typeof this.prefix !== 'string' || /[{}]/.test(this.prefix)) {
      throw new CheckpointError(ORIGIN, `prefix must be a string without "{" or "}", got ${String(this.prefix)}`);
    }
    this.chunkSize = options.chunkSize ?? 1000;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) {
      throw new CheckpointError(ORIGIN, `chunkSize must be a positive integer, got ${String(this.chunkSize)}`);
    }
    if (options.client !== undefined) {
      this.redis = options.client;
      this.owned = false;
      this.description = options.client instanceof Cluster ? 'redis cluster' : 'redis (client given)';
    } else {
      const url = options.url ?? 'redis://127.0.0.1:6379';
      this.redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 2,
        retryStrategy: (times) => Math.min(times * 200, 2_000),
        ...options.redisOptions,
      });
      // Errors surface through the commands that fail; without a listener ioredis would print each retry.
      this.redis.on('error', () => {});
      this.owned = true;
      this.description = redacted(url);
    }
  }

  /**
   * Opens a storage and checks that Redis answers.
   * @throws {@link StorageUnavailableError} naming the address when it does not.
   */
  static async connect(options: RedisCheckpointStorageOptions = {}): Promise<RedisCheckpointStorage> {
    const storage = new RedisCheckpointStorage(options);
    try {
      if (storage.redis instanceof Redis && storage.redis.status === 'wait') await storage.redis.connect();
      await storage.redis.ping();
    } catch (err) {
      await storage.close().catch(() => {});
      throw storage.unavailable('connect', err);
    }
    return storage;
  }

  private unavailable(what: string, err: unknown): TidemarkError {
    if (err instanceof TidemarkError) return err;
    const reason = err instanceof Error ? err.message : String(err);
    return new StorageUnavailableError(
      ORIGIN,
      `${what} failed on ${this.description}: ${reason}. Is Redis running there? Start one with \`redis-server\`, or pass the right \`url\` (redis://user:password@host:port)`,
      { cause: err },
    );
  }

  private async run<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw this.unavailable(what, err);
    }
  }

  private jobKey(jobName: string, suffix: string): string {
    return `${this.prefix}:{${jobName}}:${suffix}`;
  }

  private partKey(jobName: string, checkpointId: number, uid: string, keyGroup: number): string {
    return `${this.prefix}:{${jobName}/${keyGroup === OPERATOR_STATE ? 'op' : keyGroup}}:${checkpointId}:${uid}`;
  }

  private partKeyOf(jobName: string, id: string): string {
    const a = id.indexOf('/');
    const b = id.indexOf('/', a + 1);
    return this.partKey(jobName, Number(id.slice(0, a)), id.slice(b + 1), Number(id.slice(a + 1, b)));
  }

  async nextCheckpointId(jobName: string): Promise<number> {
    checkName('jobName', jobName);
    return this.run('nextCheckpointId', () => this.redis.incr(this.jobKey(jobName, 'ids')));
  }

  async writeState(jobName: string, checkpointId: number, part: StatePart): Promise<StateHandle> {
    checkName('jobName', jobName);
    checkName('uid', part.uid);
    checkId(checkpointId);
    const { list, bytes } = collectEntries(part.entries);
    const handle: StateHandle = { checkpointId, uid: part.uid, keyGroup: part.keyGroup, entries: list.length, bytes };
    if (list.length === 0) return handle;
    const key = this.partKey(jobName, checkpointId, part.uid, part.keyGroup);
    await this.run('writeState', async () => {
      // Registered first, so that a crash after the data is written still leaves the part known to cleanup.
      await this.redis.sadd(this.jobKey(jobName, 'parts'), partId(checkpointId, part.uid, part.keyGroup));
      const p = this.redis.pipeline();
      this.appendWrite(p, key, list);
      const results = await p.exec();
      for (const r of results ?? []) if (r[0]) throw r[0];
    });
    return handle;
  }

  /**
   * Writes several parts in one round trip: one `SADD` registering them all, then every part's `HSET`s, in
   * one pipeline (in that order, so a crash after the data is written still leaves the parts known to
   * cleanup). On a Cluster, whose pipelines hold one slot, part by part.
   */
  async writeStates(jobName: string, checkpointId: number, parts: readonly StatePart[]): Promise<StateHandle[]> {
    if (this.redis instanceof Cluster) return Promise.all(parts.map((part) => this.writeState(jobName, checkpointId, part)));
    checkName('jobName', jobName);
    checkId(checkpointId);
    const handles: StateHandle[] = [];
    const lists: Array<Array<[string, string]>> = [];
    for (const part of parts) {
      checkName('uid', part.uid);
      const { list, bytes } = collectEntries(part.entries);
      handles.push({ checkpointId, uid: part.uid, keyGroup: part.keyGroup, entries: list.length, bytes });
      lists.push(list);
    }
    const written = handles.filter((h) => h.entries > 0);
    if (written.length === 0) return handles;
    await this.run('writeState', async () => {
      const p = this.redis.pipeline();
      p.sadd(this.jobKey(jobName, 'parts'), ...written.map((h) => partId(checkpointId, h.uid, h.keyGroup)));
      handles.forEach((h, i) => {
        if (h.entries > 0) this.appendWrite(p, this.partKey(jobName, checkpointId, h.uid, h.keyGroup), lists[i]!);
      });
      const results = await p.exec();
      for (const r of results ?? []) if (r[0]) throw r[0];
    });
    return handles;
  }

  /** Adds a part's write to a pipeline: DEL, then HSETs of `chunkSize` fields. */
  private appendWrite(p: ReturnType<Redis['pipeline']>, key: string, list: ReadonlyArray<readonly [string, string]>): void {
    p.del(key);
    for (let i = 0; i < list.length; i += this.chunkSize) {
      const args: string[] = [];
      const end = Math.min(list.length, i + this.chunkSize);
      for (let j = i; j < end; j++) args.push(list[j]![0], list[j]![1]);
      p.hset(key, ...args);
    }
  }

  async readState(jobName: string, handle: StateHandle): Promise<Array<[string, string]>> {
    checkName('jobName', jobName);
    if (handle.entries === 0) return [];
    const key = this.partKey(jobName, handle.checkpointId, handle.uid, handle.keyGroup);
    const out: Array<[string, string]> = [];
    await this.run('readState', async () => {
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 1000);
        for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
        cursor = next;
      } while (cursor !== '0');
    });
    if (out.length !== handle.entries) {
      throw new CheckpointError(
        ORIGIN,
        `state part of operator "${handle.uid}" (key group ${handle.keyGroup}) of checkpoint ${handle.checkpointId} of job "${jobName}" has ${out.length} entries, expected ${handle.entries}: it was deleted or changed outside tidemark`,
      );
    }
    return out;
  }

  async completeCheckpoint(metadata: CheckpointMetadata, retain: number): Promise<void> {
    const where = `checkpoint ${metadata.checkpointId} of job "${metadata.jobName}"`;
    const m = validateMetadata(metadata, where);
    checkName('jobName', m.jobName);
    const json = JSON.stringify(m);
    if (m.kind === 'savepoint') {
      checkName('savepoint name', m.name);
      await this.run('completeCheckpoint', () => this.redis.hset(this.jobKey(m.jobName, 'savepoints'), m.name!, json));
      return;
    }
    await this.run('completeCheckpoint', () => this.redis.hset(this.jobKey(m.jobName, 'meta'), String(m.checkpointId), json));
    // Retention: best effort; what it leaves behind, the next completion or cleanup() deletes.
    if (!(this.redis instanceof Cluster)) {
      await this.retainPipelined(m.jobName, m.checkpointId, retain);
      return;
    }
    const ids = await this.listCheckpoints(m.jobName);
    const { drop } = retainedIds(ids, retain);
    if (drop.length > 0) await this.run('completeCheckpoint', () => this.redis.hdel(this.jobKey(m.jobName, 'meta'), ...drop.map(String)));
    await this.deleteUnreferenced(m.jobName, m.checkpointId);
  }

  /**
   * Retention in two round trips (one Redis, not a Cluster): read the job's records in one pipeline, then
   * drop the checkpoints past `retain` and UNLINK every part up to `upTo` that no kept checkpoint or
   * savepoint references, in another.
   */
  private async retainPipelined(jobName: string, upTo: number, retain: number): Promise<void> {
    await this.run('completeCheckpoint', async () => {
      const read = await this.redis
        .pipeline()
        .hgetall(this.jobKey(jobName, 'meta'))
        .hvals(this.jobKey(jobName, 'savepoints'))
        .smembers(this.jobKey(jobName, 'parts'))
        .exec();
      for (const r of read ?? []) if (r[0]) throw r[0];
      const metas = read![0]![1] as Record<string, string>;
      const saves = read![1]![1] as string[];
      const parts = read![2]![1] as string[];
      const { keep, drop } = retainedIds(Object.keys(metas).map(Number), retain);
      const kept = [...keep.map((id) => metas[String(id)]!), ...saves].map((t) => parseMetadata(t, `a record of job "${jobName}"`));
      const refs = referencedParts(kept);
      const doomed = parts.filter((id) => Number(id.slice(0, id.indexOf('/'))) <= upTo && !refs.has(id));
      if (drop.length === 0 && doomed.length === 0) return;
      const p = this.redis.pipeline();
      if (drop.length > 0) p.hdel(this.jobKey(jobName, 'meta'), ...drop.map(String));
      for (const id of doomed) p.unlink(this.partKeyOf(jobName, id));
      if (doomed.length > 0) p.srem(this.jobKey(jobName, 'parts'), ...doomed);
      const results = await p.exec();
      for (const r of results ?? []) if (r[0]) throw r[0];
    });
  }

  async abortCheckpoint(jobName: string, checkpointId: number): Promise<void> {
    checkName('jobName', jobName);
    const complete = await this.run('abortCheckpoint', () => this.redis.hexists(this.jobKey(jobName, 'meta'), String(checkpointId)));
    if (complete) return;
    await this.deleteUnreferenced(jobName, checkpointId, checkpointId);
  }

  async latestCheckpoint(jobName: string): Promise<CheckpointMetadata | undefined> {
    const ids = await this.listCheckpoints(jobName);
    if (ids.length === 0) return undefined;
    const id = ids[ids.length - 1]!;
    const text = await this.run('latestCheckpoint', () => this.redis.hget(this.jobKey(jobName, 'meta'), String(id)));
    return text === null ? undefined : this.checkJob(parseMetadata(text, `checkpoint ${id} of job "${jobName}"`), jobName);
  }

  async listCheckpoints(jobName: string): Promise<number[]> {
    checkName('jobName', jobName);
    const ids = await this.run('listCheckpoints', () => this.redis.hkeys(this.jobKey(jobName, 'meta')));
    return ids.map(Number).sort((a, b) => a - b);
  }

  async savepoint(jobName: string, name: string): Promise<CheckpointMetadata | undefined> {
    checkName('jobName', jobName);
    const text = await this.run('savepoint', () => this.redis.hget(this.jobKey(jobName, 'savepoints'), name));
    return text === null ? undefined : this.checkJob(parseMetadata(text, `savepoint "${name}" of job "${jobName}"`), jobName);
  }

  async listSavepoints(jobName: string): Promise<string[]> {
    checkName('jobName', jobName);
    return (await this.run('listSavepoints', () => this.redis.hkeys(this.jobKey(jobName, 'savepoints')))).sort();
  }

  async deleteSavepoint(jobName: string, name: string): Promise<void> {
    checkName('jobName', jobName);
    const n = await this.run('deleteSavepoint', () => this.redis.hdel(this.jobKey(jobName, 'savepoints'), name));
    if (n > 0) await this.deleteUnreferenced(jobName, Infinity);
  }

  async cleanup(jobName: string): Promise<void> {
    checkName('jobName', jobName);
    await this.deleteUnreferenced(jobName, Infinity);
  }

  async discardJob(jobName: string): Promise<void> {
    checkName('jobName', jobName);
    await this.run('discardJob', async () => {
      const parts = await this.redis.smembers(this.jobKey(jobName, 'parts'));
      await this.eachChunk(parts, (id) => this.redis.unlink(this.partKeyOf(jobName, id)));
      await this.redis.del(this.jobKey(jobName, 'meta'), this.jobKey(jobName, 'savepoints'), this.jobKey(jobName, 'parts'), this.jobKey(jobName, 'ids'));
    });
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private checkJob(m: CheckpointMetadata, jobName: string): CheckpointMetadata {
    if (m.jobName !== jobName) {
      throw new CheckpointError(
        ORIGIN,
        `the record found for job "${jobName}" belongs to job "${m.jobName}": it was copied or is corrupt; restore job "${m.jobName}"'s savepoints by naming that job (restoreFrom: { savepoint, job: '${m.jobName}' }), or delete this job's stored checkpoints (storage.discardJob('${jobName}'))`,
      );
    }
    return m;
  }

  /** Deletes parts with ids in [from, upTo] that no kept checkpoint or savepoint references. */
  private async deleteUnreferenced(jobName: string, upTo: number, from = 0): Promise<void> {
    await this.run('cleanup', async () => {
      const [metas, saves, parts] = await Promise.all([
        this.redis.hvals(this.jobKey(jobName, 'meta')),
        this.redis.hvals(this.jobKey(jobName, 'savepoints')),
        this.redis.smembers(this.jobKey(jobName, 'parts')),
      ]);
      const refs = referencedParts([...metas, ...saves].map((t) => parseMetadata(t, `a record of job "${jobName}"`)));
      const doomed = parts.filter((id) => {
        const cp = Number(id.slice(0, id.indexOf('/')));
        return cp >= from && cp <= upTo && !refs.has(id);
      });
      await this.eachChunk(doomed, (id) => this.redis.unlink(this.partKeyOf(jobName, id)));
      if (doomed.length > 0) await this.redis.srem(this.jobKey(jobName, 'parts'), ...doomed);
    });
  }

  /**
   * Runs one command per item, up to 1000 in flight at once (ioredis writes them without waiting for
   * replies, so this is pipelined, and on a Cluster each goes to its own node).
   */
  private async eachChunk(items: readonly string[], f: (item: string) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) await Promise.all(items.slice(i, i + 1000).map(f));
  }
}
