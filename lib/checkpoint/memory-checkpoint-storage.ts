import { CheckpointError } from '../core/errors';
import {
  type CheckpointMetadata,
  type CheckpointStorage,
  type StateHandle,
  type StatePart,
  checkId,
  checkName,
  collectEntries,
  partId,
  referencedParts,
  retainedIds,
  validateMetadata,
} from './checkpoint-storage';

interface JobData {
  lastId: number;
  readonly parts: Map<string, Array<[string, string]>>;
  readonly checkpoints: Map<number, CheckpointMetadata>;
  readonly savepoints: Map<string, CheckpointMetadata>;
}

/**
 * Keeps checkpoints and savepoints in memory: the default storage, and the one for the browser and for
 * tests. It survives a job's restart inside one process (resubscribing restores from it), not the process.
 *
 * It's like Flink's `JobManagerCheckpointStorage`.
 *
 * @example
 * ```ts
 * const storage = new MemoryCheckpointStorage();
 * const id = await storage.nextCheckpointId('clicks'); // 1, then 2, ...
 * ```
 * @see {@link CheckpointStorage} for the contract.
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  readonly description = 'memory';
  private readonly jobs = new Map<string, JobData>();

  private job(jobName: string): JobData {
    checkName('jobName', jobName);
    let j = this.jobs.get(jobName);
    if (j === undefined) {
      j = { lastId: 0, parts: new Map(), checkpoints: new Map(), savepoints: new Map() };
      this.jobs.set(jobName, j);
    }
    return j;
  }

  async nextCheckpointId(jobName: string): Promise<number> {
    return ++this.job(jobName).lastId;
  }

  async writeState(jobName: string, checkpointId: number, part: StatePart): Promise<StateHandle> {
    checkId(checkpointId);
    checkName('uid', part.uid);
    const { list, bytes } = collectEntries(part.entries);
    const j = this.job(jobName);
    if (list.length > 0) j.parts.set(partId(checkpointId, part.uid, part.keyGroup), list);
    return { checkpointId, uid: part.uid, keyGroup: part.keyGroup, entries: list.length, bytes };
  }

  async readState(jobName: string, handle: StateHandle): Promise<Array<[string, string]>> {
    if (handle.entries === 0) return [];
    const list = this.job(jobName).parts.get(partId(handle.checkpointId, handle.uid, handle.keyGroup));
    if (list === undefined || list.length !== handle.entries) {
      throw new CheckpointError(
        { operator: 'MemoryCheckpointStorage' },
        `state part of operator "${handle.uid}" (key group ${handle.keyGroup}) of checkpoint ${handle.checkpointId} of job "${jobName}" is gone: it was deleted by retention or cleanup`,
      );
    }
    return list.map(([f, v]) => [f, v]);
  }

  async completeCheckpoint(metadata: CheckpointMetadata, retain: number): Promise<void> {
    // Stored as a deep copy, as a remote storage would: later changes to the caller's object change nothing.
    const m = validateMetadata(JSON.parse(JSON.stringify(metadata)), `checkpoint ${metadata.checkpointId} of job "${metadata.jobName}"`);
    const j = this.job(m.jobName);
    if (m.kind === 'savepoint') {
      checkName('savepoint name', m.name);
      j.savepoints.set(m.name!, m);
      return;
    }
    j.checkpoints.set(m.checkpointId, m);
    const { drop } = retainedIds([...j.checkpoints.keys()], retain);
    for (const id of drop) j.checkpoints.delete(id);
    this.deleteUnreferenced(j, m.checkpointId);
  }

  async abortCheckpoint(jobName: string, checkpointId: number): Promise<void> {
    const j = this.job(jobName);
    if (j.checkpoints.has(checkpointId)) return;
    const refs = referencedParts([...j.savepoints.values()]);
    for (const id of [...j.parts.keys()]) if (id.startsWith(`${checkpointId}/`) && !refs.has(id)) j.parts.delete(id);
  }

  async latestCheckpoint(jobName: string): Promise<CheckpointMetadata | undefined> {
    const ids = await this.listCheckpoints(jobName);
    return ids.length === 0 ? undefined : this.job(jobName).checkpoints.get(ids[ids.length - 1]!);
  }

  async listCheckpoints(jobName: string): Promise<number[]> {
    return [...this.job(jobName).checkpoints.keys()].sort((a, b) => a - b);
  }

  async savepoint(jobName: string, name: string): Promise<CheckpointMetadata | undefined> {
    return this.job(jobName).savepoints.get(name);
  }

  async listSavepoints(jobName: string): Promise<string[]> {
    return [...this.job(jobName).savepoints.keys()].sort();
  }

  async deleteSavepoint(jobName: string, name: string): Promise<void> {
    const j = this.job(jobName);
    if (j.savepoints.delete(name)) this.deleteUnreferenced(j, Infinity);
  }

  async cleanup(jobName: string): Promise<void> {
    this.deleteUnreferenced(this.job(jobName), Infinity);
  }

  async discardJob(jobName: string): Promise<void> {
    checkName('jobName', jobName);
    this.jobs.delete(jobName);
  }

  async close(): Promise<void> {}

  /** Deletes parts of checkpoints up to `upTo` that no kept checkpoint or savepoint references. */
  private deleteUnreferenced(j: JobData, upTo: number): void {
    const refs = referencedParts([...j.checkpoints.values(), ...j.savepoints.values()]);
    for (const id of [...j.parts.keys()]) {
      if (Number(id.slice(0, id.indexOf('/'))) <= upTo && !refs.has(id)) j.parts.delete(id);
    }
  }
}
