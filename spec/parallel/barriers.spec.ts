/**
 * Checkpoint barriers across channels: broadcast to every subtask, aligned at every subtask and at the
 * merge; each subtask acknowledges its own key groups and the job's coordinator sees one acknowledgement
 * per operator; a savepoint taken at one parallelism restores at another.
 */
import fc from 'fast-check';
import { delay, map, type Observable, VirtualTimeScheduler } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  fromCollection,
  global,
  Job,
  keyBy,
  MemoryCheckpointStorage,
  parallel,
  partitionCustom,
  reduce,
  sum,
  values,
  type CheckpointStorage,
  type StreamElement,
} from '../../lib/index';
import { keyGroupOf, subtaskForKeyGroup } from '../../lib/keyed/key-group';
import { barrier, maxWm } from '../../lib/testing/index';

const bySubtask = partitionCustom((v: string) => (v === 'b' ? 1 : 0), (v: string) => v);
/** Subtask 1 runs 4 ms late: its barrier reaches the merge after subtask 0's later records. */
const lagging = <T>(s: Observable<StreamElement<T>>, j: number): Observable<StreamElement<T>> => (j === 1 ? s.pipe(delay(4)) : s);

describe('barriers across channels', () => {
  it('are aligned at the merge: a subtask’s records after the barrier wait until every subtask delivered it', marbles((m) => {
    const B = barrier(1);
    const input = m.cold('a-B-c---b---|', { a: 'a', B, c: 'c', b: 'b' });
    // subtask 0: a, B at 2, c at 4; subtask 1: B at 6, b at 12. c is held back until 6, after the barrier
    m.expect(input.pipe(bySubtask, parallel(2, lagging))).toBeObservable('a 5ms (Bc) 2ms b 3ms (M|)', { a: 'a', B, c: 'c', b: 'b', M: maxWm() });
  }));

  it('are aligned at a subtask fed by several upstream subtasks', marbles((m) => {
    const B = barrier(1);
    const input = m.cold('a-B-c---b---|', { a: 'a', B, c: 'c', b: 'b' });
    // the second stage's subtask 0 gets everything (global): it aligns its two input channels
    const seen: string[] = [];
    const out = input.pipe(
      bySubtask,
      parallel(2, lagging),
      global(),
      parallel(3, (s, j) =>
        s.pipe(
          map((x) => {
            if (typeof x === 'string') seen.push(`${j}:${x}`);
            return x;
          }),
        ),
      ),
    );
    m.expect(out).toBeObservable('a 5ms (Bc) 2ms b 3ms (M|)', { a: 'a', B, c: 'c', b: 'b', M: maxWm() });
    m.flush();
    expect(seen).toEqual(['0:a', '0:c', '0:b']);
  }));

  it('reach every subtask once, and leave the merge once', marbles((m) => {
    const B = barrier(7);
    const input = m.cold('B-|', { B });
    const seen: number[] = [];
    const out = input.pipe(
      parallel(4, (s, j) =>
        s.pipe(
          map((x) => {
            if (x instanceof Object && 'checkpointId' in x) seen.push(j);
            return x;
          }),
        ),
      ),
    );
    m.expect(out).toBeObservable('B-(M|)', { B, M: maxWm() });
    m.flush();
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
  }));
});

interface Ev {
  k: number;
  v: number;
}

type Pipeline = (job: Job, events: readonly Ev[], chunkSize: number) => Observable<string>;

/** A keyed job whose keyed operators run in a parallel stage of `p` subtasks. */
const sums =
  (p: number): Pipeline =>
  (job, events, chunkSize) =>
    fromCollection(events, { job, uid: 'events', chunkSize }).pipe(
      keyBy((e) => e.k),
      parallel(p, (s) => s.pipe(sum<Ev>('v', { uid: 'sum' }))),
      // re-keying needs a new exchange: the next stage's subtasks get the new keys' groups
      keyBy((e) => e.k % 3),
      parallel(p, (s) => s.pipe(reduce<Ev>((a, b) => ({ k: a.k, v: a.v * 2 + b.v }), { uid: 'reduce' }))),
      values(),
      map((x) => JSON.stringify(x)),
    );

function newJob(name: string, storage: CheckpointStorage, scheduler: VirtualTimeScheduler, restoreFrom?: { savepoint: string }): Job {
  return new Job({ name, scheduler, checkpoints: { interval: 1_000_000, storage }, ...(restoreFrom === undefined ? {} : { restoreFrom }) });
}

async function runAll(pipeline: Pipeline, events: readonly Ev[], storage: CheckpointStorage, name: string, restoreFrom?: { savepoint: string }): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler, restoreFrom);
  await job.prepare();
  const out: string[] = [];
  let done = false;
  pipeline(job, events, 5).subscribe({ next: (x) => out.push(x), complete: () => (done = true) });
  scheduler.flush();
  expect(done).toBe(true);
  return out;
}

/** Runs until `cut` outputs, takes a savepoint named "sp" there, waits for it, and stops. */
async function runToSavepoint(pipeline: Pipeline, events: readonly Ev[], storage: CheckpointStorage, name: string, cut: number): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  let taken: Promise<unknown> | undefined;
  const sub = pipeline(job, events, events.length + 1).subscribe((x) => {
    out.push(x);
    if (out.length === cut) taken = job.savepoint('sp');
  });
  while (taken === undefined && scheduler.actions.length > 0 && scheduler.actions[0]!.delay === 0) {
    const action = scheduler.actions.shift()!;
    const error = action.execute(action.state, action.delay);
    if (error !== undefined) throw error;
  }
  // the barrier left at the end of the chunk that produced output `cut`; nothing runs after it (a crash)
  const stats = (await taken) as { status: string };
  expect(stats.status).toBe('completed');
  sub.unsubscribe();
  return out;
}

describe('checkpoints of a parallel stage', () => {
  it('acknowledge once per operator, with every subtask’s key groups', async () => {
    const storage = new MemoryCheckpointStorage();
    const evs: Ev[] = Array.from({ length: 20 }, (_, k) => ({ k, v: 1 }));
    await runToSavepoint(sums(3), evs, storage, 'kg', 20);
    const meta = await storage.savepoint('kg', 'sp');
    const sumOp = meta!.operators.find((o) => o.uid === 'sum')!;
    const groups = new Set(sumOp.handles.map((h) => h.keyGroup));
    // every key's group is in the snapshot, from whichever subtask owned it
    expect(groups).toEqual(new Set(evs.map((e) => keyGroupOf(e.k, 128))));
    expect(new Set([...groups].map((g) => subtaskForKeyGroup(g, 128, 3)))).toEqual(new Set([0, 1, 2]));
  });

  it('a savepoint taken at parallelism 2 restores at 3 and at 1 with the same results (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 15 }), v: fc.integer({ min: -9, max: 9 }) }), { minLength: 2, maxLength: 40 }),
        fc.nat(),
        async (evs, c) => {
          const cut = 1 + (c % (evs.length - 1));
          const expected = await runAll(sums(1), evs, new MemoryCheckpointStorage(), 'reference');
          const storage = new MemoryCheckpointStorage();
          const before = await runToSavepoint(sums(2), evs, storage, 'job', cut);
          expect(before).toEqual(expected.slice(0, cut));
          for (const p of [3, 1, 2]) {
            const after = await runAll(sums(p), evs, storage, 'job', { savepoint: 'sp' });
            expect([...before, ...after]).toEqual(expected);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
