/**
 * The contract every CheckpointStorage keeps, as one suite run against each implementation (memory, Redis).
 */
import { CheckpointError } from '../../lib/core/errors';
import {
  CHECKPOINT_FORMAT,
  type CheckpointMetadata,
  type CheckpointStorage,
  OPERATOR_STATE,
  type StateHandle,
  TOMBSTONE,
} from '../../lib/checkpoint/checkpoint-storage';

export interface StorageFixture {
  storage: CheckpointStorage;
  /** Keys (or entries) the storage holds for the job, to check nothing is left behind. */
  leftovers(jobName: string): Promise<number>;
}

function meta(jobName: string, checkpointId: number, operators: Array<{ uid: string; handles: StateHandle[] }>, extra: Partial<CheckpointMetadata> = {}): CheckpointMetadata {
  return { format: CHECKPOINT_FORMAT, jobName, checkpointId, kind: 'checkpoint', timestamp: 1_000 * checkpointId, maxParallelism: 128, serializer: 'tidemark-json/1', operators, ...extra };
}

export function checkpointStorageContract(name: string, fixture: () => Promise<StorageFixture>, done: (f: StorageFixture) => Promise<void>): void {
  describe(`${name}: the CheckpointStorage contract`, () => {
    let f: StorageFixture;
    let s: CheckpointStorage;
    let job: string;
    let n = 0;
    beforeEach(async () => {
      f = await fixture();
      s = f.storage;
      job = `job-${++n}`;
    });
    afterEach(async () => {
      await s.discardJob(job);
      expect(await f.leftovers(job)).toBe(0);
      await done(f);
    });

    it('gives increasing checkpoint ids per job', async () => {
      const a = await s.nextCheckpointId(job);
      const b = await s.nextCheckpointId(job);
      expect(b).toBe(a + 1);
      expect(await s.nextCheckpointId(`${job}-other`)).toBe(1);
      await s.discardJob(`${job}-other`);
    });

    it('a checkpoint is visible only once its metadata is written, and reads back what was written', async () => {
      const id = await s.nextCheckpointId(job);
      const entries: Array<[string, string]> = [['__proto__', '1'], ['constructor', '{"a":2}'], ['k', TOMBSTONE]];
      for (let i = 0; i < 2500; i++) entries.push([`key-${i}`, JSON.stringify({ n: i })]);
      const h1 = await s.writeState(job, id, { uid: 'counts', keyGroup: 7, entries });
      const h2 = await s.writeState(job, id, { uid: 'source', keyGroup: OPERATOR_STATE, entries: [['offset', '42']] });
      const h3 = await s.writeState(job, id, { uid: 'empty', keyGroup: 3, entries: [] });
      expect(h1).toEqual({ checkpointId: id, uid: 'counts', keyGroup: 7, entries: entries.length, bytes: entries.reduce((b, [k, v]) => b + k.length + v.length, 0) });
      expect(await s.latestCheckpoint(job)).toBeUndefined();
      expect(await s.listCheckpoints(job)).toEqual([]);
      const m = meta(job, id, [{ uid: 'counts', handles: [h1] }, { uid: 'source', handles: [h2] }, { uid: 'empty', handles: [h3] }]);
      await s.completeCheckpoint(m, 3);
      expect(await s.latestCheckpoint(job)).toEqual(m);
      const back = await s.readState(job, h1);
      expect(new Map(back)).toEqual(new Map(entries));
      expect(await s.readState(job, h2)).toEqual([['offset', '42']]);
      expect(await s.readState(job, h3)).toEqual([]);
    });

    it('keeps the newest `retain` checkpoints and deletes the parts only dropped ones reference', async () => {
      const ids: number[] = [];
      const handles: StateHandle[] = [];
      for (let i = 0; i < 4; i++) {
        const id = await s.nextCheckpointId(job);
        ids.push(id);
        const h = await s.writeState(job, id, { uid: 'op', keyGroup: 1, entries: [[`k${i}`, String(i)]] });
        handles.push(h);
        // Incremental: every checkpoint after the first also references the first one's part.
        const refs = i === 0 ? [h] : [handles[0]!, h];
        await s.completeCheckpoint(meta(job, id, [{ uid: 'op', handles: refs }]), 2);
      }
      expect(await s.listCheckpoints(job)).toEqual(ids.slice(2));
      expect(await s.readState(job, handles[0]!)).toEqual([['k0', '0']]); // still referenced
      expect(await s.readState(job, handles[3]!)).toEqual([['k3', '3']]);
      // The part of checkpoint 2 (index 1) is referenced by nothing kept any more.
      await expect(s.readState(job, handles[1]!)).rejects.toThrow(CheckpointError);
      expect(await f.leftovers(job)).toBe(3);
    });

    it('an aborted checkpoint leaves nothing; cleanup removes the parts of one that never completed (a crash)', async () => {
      const good = await s.nextCheckpointId(job);
      const hg = await s.writeState(job, good, { uid: 'op', keyGroup: 0, entries: [['a', '1']] });
      await s.completeCheckpoint(meta(job, good, [{ uid: 'op', handles: [hg] }]), 1);
      const before = await f.leftovers(job);
      const failed = await s.nextCheckpointId(job);
      await s.writeState(job, failed, { uid: 'op', keyGroup: 0, entries: [['a', '2']] });
      await s.abortCheckpoint(job, failed);
      expect(await f.leftovers(job)).toBe(before);
      const crashed = await s.nextCheckpointId(job);
      await s.writeState(job, crashed, { uid: 'op', keyGroup: 5, entries: [['b', '2']] });
      expect(await f.leftovers(job)).toBeGreaterThan(before);
      await s.cleanup(job);
      expect(await f.leftovers(job)).toBe(before);
      expect((await s.latestCheckpoint(job))?.checkpointId).toBe(good);
      expect(await s.readState(job, hg)).toEqual([['a', '1']]);
      // Ids are never reused, even after a checkpoint was given up.
      expect(await s.nextCheckpointId(job)).toBe(crashed + 1);
    });

    it('keeps savepoints apart from retention until deleted by hand', async () => {
      const sp = await s.nextCheckpointId(job);
      const hs = await s.writeState(job, sp, { uid: 'op', keyGroup: 2, entries: [['x', '1']] });
      await s.completeCheckpoint(meta(job, sp, [{ uid: 'op', handles: [hs] }], { kind: 'savepoint', name: 'before-upgrade' }), 1);
      for (let i = 0; i < 3; i++) {
        const id = await s.nextCheckpointId(job);
        const h = await s.writeState(job, id, { uid: 'op', keyGroup: 2, entries: [['x', String(i)]] });
        await s.completeCheckpoint(meta(job, id, [{ uid: 'op', handles: [h] }]), 1);
      }
      expect(await s.listSavepoints(job)).toEqual(['before-upgrade']);
      expect((await s.savepoint(job, 'before-upgrade'))?.checkpointId).toBe(sp);
      expect(await s.readState(job, hs)).toEqual([['x', '1']]);
      expect(await s.listCheckpoints(job)).toHaveLength(1);
      await s.deleteSavepoint(job, 'before-upgrade');
      expect(await s.savepoint(job, 'before-upgrade')).toBeUndefined();
      await expect(s.readState(job, hs)).rejects.toThrow(CheckpointError);
      expect(await f.leftovers(job)).toBe(1);
    });

    it('refuses metadata of an unknown format, bad names and bad entries with a CheckpointError', async () => {
      const id = await s.nextCheckpointId(job);
      await expect(s.completeCheckpoint({ ...meta(job, id, []), format: 'tidemark-checkpoint/99' as typeof CHECKPOINT_FORMAT }, 1)).rejects.toThrow(/unknown format "tidemark-checkpoint\/99"/);
      await expect(s.completeCheckpoint({ ...meta(job, id, []), operators: [{ uid: 'x', handles: [{ bogus: 1 } as unknown as StateHandle] }] }, 1)).rejects.toThrow(CheckpointError);
      await expect(s.nextCheckpointId('a{b}')).rejects.toThrow(CheckpointError);
      await expect(s.writeState(job, id, { uid: 'op', keyGroup: 0, entries: [['a', 1 as unknown as string]] })).rejects.toThrow(/\[string, string\] pairs/);
      await expect(s.writeState(job, 0, { uid: 'op', keyGroup: 0, entries: [] })).rejects.toThrow(/positive integer/);
    });
  });
}
