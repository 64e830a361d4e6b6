/**
 * Where checkpoints and savepoints live: the storage SPI (Flink's `CheckpointStorage`), the metadata that
 * makes a checkpoint visible, and the state handles it references.
 *
 * A checkpoint is written in two phases. First every operator writes its parts (one per key group of keyed
 * state, one for its operator state) with {@link CheckpointStorage.writeState} and gets a {@link StateHandle}
 * back for each. Then the coordinator writes the {@link CheckpointMetadata} that lists every handle, last
 * and atomically, with {@link CheckpointStorage.completeCheckpoint}: a checkpoint exists only once its
 * metadata does, so a crash or a failure in between never leaves a partial checkpoint to restore.
 * @module
 */
import { CheckpointError, describeValue } from '../core/errors';

/**
 * The format tag of {@link CheckpointMetadata}: the format's id and its version (`<id>/<version>`). A
 * snapshot with another id, or a version this code does not read, is refused with a {@link CheckpointError}.
 */
export const CHECKPOINT_FORMAT = 'tidemark-checkpoint/1';

/** The key group of an operator's non-keyed (operator) state part. */
export const OPERATOR_STATE = -1;

/**
 * The value of a field in an incremental part that says "this entry was deleted since the last
 * checkpoint". Serialized values are never empty (JSON never is), so the empty string is free.
 */
export const TOMBSTONE = '';

/** One part of an operator's state for one checkpoint: one key group, or its operator state. */
export interface StatePart {
  /** The operator's uid. */
  readonly uid: string;
  /** The key group, or {@link OPERATOR_STATE}. */
  readonly keyGroup: number;
  /** The entries: field name → serialized value ({@link TOMBSTONE} for a deletion in an increment). */
  readonly entries: Iterable<readonly [string, string]>;
}

/** What a written part is known by in the metadata: enough to read it back and to account for it. */
export interface StateHandle {
  /** The checkpoint that wrote it (an incremental checkpoint also lists handles of earlier ones). */
  readonly checkpointId: number;
  readonly uid: string;
  readonly keyGroup: number;
  /** How many entries it holds. */
  readonly entries: number;
  /** The size of its field names and values in bytes (UTF-16 code units; an estimate for accounting). */
  readonly bytes: number;
}

/** Every handle one operator needs to restore, in the order to apply them (oldest first per key group). */
export interface OperatorStateHandles {
  readonly uid: string;
  /** The kind of operator that wrote it (`keyedProcess`, `fromCollection`...), when it said. */
  readonly kind?: string;
  /** The names of its states, when it said. */
  readonly states?: readonly string[];
  readonly handles: readonly StateHandle[];
}

/** The record that makes a checkpoint or savepoint exist. Written last, atomically. */
export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly jobName: string;
  readonly checkpointId: number;
  /** `checkpoint` (kept by retention) or `savepoint` (kept until deleted by hand). */
  readonly kind: 'checkpoint' | 'savepoint';
  /** The savepoint's name (savepoints only). */
  readonly name?: string;
  /** When it was triggered, in processing time (ms). */
  readonly timestamp: number;
  /** The number of key groups the keyed state is split into. */
  readonly maxParallelism: number;
  /** The {@link TypeSerializer} id that wrote the values. */
  readonly serializer: string;
  readonly operators: readonly OperatorStateHandles[];
  /** Free-form facts (full or incremental, statistics). */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Stores checkpoints and savepoints. Implementations: {@link MemoryCheckpointStorage} (the default, in the
 * browser too) and `RedisCheckpointStorage` in `tidemark/redis`.
 *
 * Contract, checked by one shared test suite for every implementation:
 * - {@link CheckpointStorage.writeState} parts are invisible until a metadata record lists them;
 * - {@link CheckpointStorage.completeCheckpoint} writes the metadata atomically, then keeps the newest
 *   `retain` checkpoints and deletes older ones with every part that no kept checkpoint or savepoint
 *   references;
 * - {@link CheckpointStorage.abortCheckpoint} and {@link CheckpointStorage.cleanup} delete parts that no
 *   metadata references (a failed checkpoint, or the leftovers of a crash);
 * - checkpoint ids come from {@link CheckpointStorage.nextCheckpointId}, never reused for a job, even
 *   across restarts.
 *
 * It's like Flink's `CheckpointStorage`, but it stores the state itself, not only where it is.
 *
 * @example
 * ```ts
 * const storage = new MemoryCheckpointStorage();
 * const id = await storage.nextCheckpointId('clicks');
 * const h = await storage.writeState('clicks', id, { uid: 'counts', keyGroup: 3, entries: [['ann', '2']] });
 * await storage.completeCheckpoint({
 *   format: CHECKPOINT_FORMAT, jobName: 'clicks', checkpointId: id, kind: 'checkpoint', timestamp: 0,
 *   maxParallelism: 128, serializer: defaultStateSerializer.id, operators: [{ uid: 'counts', handles: [h] }],
 * }, 3);
 * ```
 * @see Flink's `CheckpointStorage`, `CompletedCheckpointStore`
 */
export interface CheckpointStorage {
  /** A short description for messages (`memory`, `redis://127.0.0.1:6379`). */
  readonly description: string;
  /** A new checkpoint id for the job, larger than every id it gave before. */
  nextCheckpointId(jobName: string): Promise<number>;
  /** Writes one part of an operator's state for checkpoint `checkpointId`. */
  writeState(jobName: string, checkpointId: number, part: StatePart): Promise<StateHandle>;
  /**
   * Writes several parts of checkpoint `checkpointId` at once (optional: the coordinator calls
   * {@link CheckpointStorage.writeState} for each part when a storage has no such method). The same
   * contract as `writeState` for each part; a storage that batches saves a round trip per part.
   */
  writeStates?(jobName: string, checkpointId: number, parts: readonly StatePart[]): Promise<StateHandle[]>;
  /** Reads a part back. */
  readState(jobName: string, handle: StateHandle): Promise<Array<[string, string]>>;
  /** Makes a checkpoint or savepoint visible (atomically), then applies retention to checkpoints. */
  completeCheckpoint(metadata: CheckpointMetadata, retain: number): Promise<void>;
  /** Deletes the parts written for a checkpoint that will not complete. */
  abortCheckpoint(jobName: string, checkpointId: number): Promise<void>;
  /** The newest complete checkpoint of the job, if any. */
  latestCheckpoint(jobName: string): Promise<CheckpointMetadata | undefined>;
  /** The ids of the job's complete checkpoints, oldest first. */
  listCheckpoints(jobName: string): Promise<number[]>;
  /** A savepoint by name. */
  savepoint(jobName: string, name: string): Promise<CheckpointMetadata | undefined>;
  /** The names of the job's savepoints. */
  listSavepoints(jobName: string): Promise<string[]>;
  /** Deletes a savepoint and the parts only it references. */
  deleteSavepoint(jobName: string, name: string): Promise<void>;
  /** Deletes every part no metadata references (run at start, after a crash). */
  cleanup(jobName: string): Promise<void>;
  /** Deletes everything stored for the job. */
  discardJob(jobName: string): Promise<void>;
  /** Releases connections the storage opened itself. */
  close(): Promise<void>;
}

const ORIGIN = { operator: 'CheckpointStorage' };

/** Checks a metadata record read back from storage (or given by a user): corrupt or foreign ones are refused. */
export function validateMetadata(raw: unknown, where: string): CheckpointMetadata {
  const bad = (what: string): never => {
    throw new CheckpointError(ORIGIN, `${where}: ${what}; it was not written by this version of tidemark, or it is corrupt: delete the job's stored checkpoints (storage.discardJob(jobName)) or run the job under another name`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('the metadata is not an object');
  const m = raw as Record<string, unknown>;
  if (m['format'] !== CHECKPOINT_FORMAT) {
    const [id, version] = typeof m['format'] === 'string' ? m['format'].split('/') : [];
    const [ourId, ourVersion] = CHECKPOINT_FORMAT.split('/');
    if (id === ourId && version !== undefined) {
      throw new CheckpointError(
        ORIGIN,
        `${where}: unknown format ${describeValue(m['format'])}: this version of tidemark reads version ${ourVersion} of "${ourId}", not ${describeValue(version)}; restore it with the tidemark version that wrote it, or delete the job's stored checkpoints (storage.discardJob(jobName))`,
      );
    }
    return bad(`unknown format ${describeValue(m['format'])} (expected "${CHECKPOINT_FORMAT}")`);
  }
  if (typeof m['jobName'] !== 'string') bad('jobName is not a string');
  if (!Number.isSafeInteger(m['checkpointId']) || (m['checkpointId'] as number) < 1) bad('checkpointId is not a positive integer');
  if (m['kind'] !== 'checkpoint' && m['kind'] !== 'savepoint') bad(`kind ${describeValue(m['kind'])} is unknown`);
  if (typeof m['timestamp'] !== 'number') bad('timestamp is not a number');
  if (!Number.isSafeInteger(m['maxParallelism']) || (m['maxParallelism'] as number) < 1) bad('maxParallelism is not a positive integer');
  if (typeof m['serializer'] !== 'string') bad('serializer is not a string');
  const ops = m['operators'];
  if (!Array.isArray(ops)) return bad('operators is not a list');
  for (const op of ops as unknown[]) {
    if (op === null || typeof op !== 'object') bad('an operator entry is not an object');
    const o = op as Record<string, unknown>;
    if (typeof o['uid'] !== 'string') bad('an operator entry has no uid');
    if (!Array.isArray(o['handles'])) bad(`operator "${String(o['uid'])}" has no handles`);
    if (o['kind'] !== undefined && typeof o['kind'] !== 'string') bad(`operator "${String(o['uid'])}" has a kind that is not a string`);
    if (o['states'] !== undefined && (!Array.isArray(o['states']) || !(o['states'] as unknown[]).every((x) => typeof x === 'string'))) {
      bad(`operator "${String(o['uid'])}" has state names that are not a list of strings`);
    }
    for (const h of o['handles'] as unknown[]) {
      const x = h as Record<string, unknown> | null;
      if (
        x === null ||
        typeof x !== 'object' ||
        !Number.isSafeInteger(x['checkpointId']) ||
        x['uid'] !== o['uid'] ||
        !Number.isSafeInteger(x['keyGroup']) ||
        !Number.isSafeInteger(x['entries']) ||
        typeof x['bytes'] !== 'number'
      ) {
        bad(`operator "${String(o['uid'])}" has a malformed state handle ${describeValue(h)}`);
      }
    }
  }
  return m as unknown as CheckpointMetadata;
}

/** Parses a metadata record stored as JSON, with a {@link CheckpointError} on corrupt input. */
export function parseMetadata(text: string, where: string): CheckpointMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(ORIGIN, `${where}: the metadata is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return validateMetadata(raw, where);
}

/** Refuses job names and uids that would break key names. */
export function checkName(what: 'jobName' | 'uid' | 'savepoint name', name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || /[{}\n]/.test(name)) {
    throw new CheckpointError(ORIGIN, `${what} must be a non-empty string without "{", "}" or newlines, got ${describeValue(name)}`);
  }
}

/** Checks a checkpoint id argument. */
export function checkId(checkpointId: unknown): void {
  if (!Number.isSafeInteger(checkpointId) || (checkpointId as number) < 1) {
    throw new CheckpointError(ORIGIN, `checkpointId must be a positive integer, got ${describeValue(checkpointId)}`);
  }
}

/** Every part a set of metadata records references, as `checkpointId/uid/keyGroup` strings. */
export function referencedParts(records: Iterable<CheckpointMetadata>): Set<string> {
  const refs = new Set<string>();
  for (const m of records) for (const op of m.operators) for (const h of op.handles) refs.add(partId(h.checkpointId, h.uid, h.keyGroup));
  return refs;
}

/** The identity of a part: `checkpointId/keyGroup/uid`. */
export function partId(checkpointId: number, uid: string, keyGroup: number): string {
  return `${checkpointId}/${keyGroup}/${uid}`;
}

/** Which checkpoints `completeCheckpoint` keeps: the newest `retain` of `ids` (sorted ascending). */
export function retainedIds(ids: readonly number[], retain: number): { keep: number[]; drop: number[] } {
  const sorted = [...ids].sort((a, b) => a - b);
  const cut = Math.max(0, sorted.length - Math.max(1, retain));
  return { keep: sorted.slice(cut), drop: sorted.slice(0, cut) };
}

/** Counts a part's entries and bytes while copying them into an array. */
export function collectEntries(entries: Iterable<readonly [string, string]>): { list: Array<[string, string]>; bytes: number } {
  const list: Array<[string, string]> = [];
  let bytes = 0;
  for (const [f, v] of entries) {
    if (typeof f !== 'string' || typeof v !== 'string') {
      throw new CheckpointError(ORIGIN, `state entries must be [string, string] pairs, got [${describeValue(f)}, ${describeValue(v)}]`);
    }
    list.push([f, v]);
    bytes += f.length + v.length;
  }
  return { list, bytes };
}
