/**
 * The core sinks: sinkTo (at least once), collectSink, the TwoPhaseCommitSink base (commit on checkpoint
 * completion, recommit after a crash, abort of what no checkpoint covers) and the WriteAheadSink base,
 * on a virtual-time job with a shared in-memory checkpoint storage; a "crash" stops the coordinator and drops
 * the pipeline with nothing cleaned up.
 */
import { VirtualTimeScheduler, type Observable } from 'rxjs';
import {
  CheckpointError,
  collectSink,
  fromCollection,
  InvalidArgumentError,
  Job,
  map,
  MemoryCheckpointCommitter,
  MemoryCheckpointStorage,
  SinkError,
  sinkTo,
  TwoPhaseCommitSink,
  WriteAheadSink,
  type CheckpointStorage,
} from '../../lib/index';

/** A fake external system with transactions: staged rows per transaction id, and the committed rows. */
class Target {
  readonly staged = new Map<string, string[]>();
  readonly committed: string[] = [];
  /** Set to simulate a crash: commits and aborts no longer reach the target. */
  down = false;
  /** Set to make the target go down right after the next pre-commit lands (a crash before the commit). */
  crashAfterPreCommit = false;
  commits = 0;
  private waiters: Array<{ n: number; resolve(): void }> = [];
  commit(id: string): void {
    this.commits++;
    const rows = this.staged.get(id);
    if (rows === undefined) return; // committed (or aborted) already: repeating does nothing
    this.committed.push(...rows);
    this.staged.delete(id);
    for (const w of [...this.waiters]) if (this.committed.length >= w.n) w.resolve();
  }
  /** Resolves once `n` rows are committed. */
  committedAtLeast(n: number): Promise<void> {
    if (this.committed.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

interface Txn {
  id: string;
}

let run = 0;
class TargetSink extends TwoPhaseCommitSink<string, Txn> {
  readonly log: string[] = [];
  private readonly buffers = new Map<string, string[]>();
  private next = 0;
  private readonly run = run++;
  constructor(private readonly target: Target) {
    super({ uid: 'target-sink' });
  }
  protected async beginTransaction(): Promise<Txn> {
    await Promise.resolve();
    const id = `r${this.run}-t${this.next++}`;
    this.buffers.set(id, []);
    this.log.push(`begin ${id}`);
    return { id };
  }
  protected invoke(txn: Txn, value: string): void {
    this.buffers.get(txn.id)!.push(value);
  }
  protected async preCommit(txn: Txn): Promise<void> {
    await Promise.resolve();
    if (this.target.down) return new Promise(() => {}); // a crash in the middle: never returns
    this.target.staged.set(txn.id, this.buffers.get(txn.id) ?? []);
    this.log.push(`preCommit ${txn.id}`);
    if (this.target.crashAfterPreCommit) this.target.down = true;
  }
  protected async commit(txn: Txn): Promise<void> {
    await Promise.resolve();
    if (this.target.down) return new Promise(() => {});
    this.log.push(`commit ${txn.id}`);
    this.target.commit(txn.id);
  }
  protected abort(txn: Txn): void {
    if (this.target.down) return;
    this.log.push(`abort ${txn.id}`);
    this.target.staged.delete(txn.id);
  }
  protected override abortLingering(): void {
    // every staged transaction still here after recovery belongs to no completed checkpoint
    this.log.push(`abortLingering ${[...this.target.staged.keys()].join(',')}`);
    this.target.staged.clear();
  }
}

const letters = 'abcdefghij'.split('');

function started(storage: CheckpointStorage, tolerableFailures = 0): { job: Job; scheduler: VirtualTimeScheduler } {
  const scheduler = new VirtualTimeScheduler();
  return { scheduler, job: new Job({ name: 'sinks', scheduler, checkpoints: { interval: 1_000_000, storage, tolerableFailures } }) };
}

/** Runs the scheduler's next action (a source emits its next chunk), as flush() would run the first. */
function step(scheduler: VirtualTimeScheduler): void {
  const action = scheduler.actions.shift();
  if (action === undefined) return;
  scheduler.frame = action.delay;
  action.execute(action.state, action.delay);
}

function subscribeSink(out: Observable<never>): { done: Promise<void> } {
  return {
    done: new Promise((resolve, reject) => out.subscribe({ complete: resolve, error: reject })),
  };
}

describe('sinkTo', () => {
  it('writes every value in order, awaiting each promise, and completes after the last write', async () => {
    const written: number[] = [];
    let inFlight = 0;
    const out = fromCollection([1, 2, 3, 4]).pipe(
      sinkTo(async (n: number) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await Promise.resolve();
        written.push(n);
        inFlight--;
      }),
    );
    await subscribeSink(out).done;
    expect(written).toEqual([1, 2, 3, 4]);
  });

  it('acknowledges a barrier only after every write before it settled', async () => {
    const storage = new MemoryCheckpointStorage();
    const { job, scheduler } = started(storage);
    await job.prepare();
    const written: string[] = [];
    const releases: Array<() => void> = [];
    const { done } = subscribeSink(
      fromCollection(letters.slice(0, 4), { job, uid: 'letters', chunkSize: 2 }).pipe(
        sinkTo((v: string) => new Promise<void>((resolve) => releases.push(() => (written.push(v), resolve()))), { uid: 'slow' }),
      ),
    );
    let completed = false;
    const checkpoint = job.coordinator!.trigger().then(() => (completed = true));
    // a is in flight, b waits; the checkpoint waits for both
    await Promise.resolve();
    expect(completed).toBe(false);
    releases.shift()!();
    await new Promise<void>((r) => queueMicrotask(r));
    expect(completed).toBe(false);
    while (written.length < 2) {
      await Promise.resolve();
      releases.shift()?.();
    }
    await checkpoint;
    expect(written).toEqual(['a', 'b']);
    scheduler.flush();
    while (releases.length > 0 || written.length < 4) {
      releases.shift()?.();
      await Promise.resolve();
    }
    await done;
    expect(written).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails with the write error, naming the sink', async () => {
    const out = fromCollection([1, 2]).pipe(
      sinkTo(
        (n: number) => {
          if (n === 2) throw new Error('disk full');
        },
        { name: 'disk' },
      ),
    );
    await expect(subscribeSink(out).done).rejects.toThrow(/disk: user function threw: disk full/);
  });

  it('needs a uid when the job checkpoints, and a function or a sink object', async () => {
    const storage = new MemoryCheckpointStorage();
    const { job } = started(storage);
    await job.prepare();
    await expect(subscribeSink(fromCollection([1], { job, uid: 'one' }).pipe(sinkTo(() => {}))).done).rejects.toThrow(CheckpointError);
    expect(() => sinkTo(42 as never)).toThrow(InvalidArgumentError);
  });
});

describe('collectSink', () => {
  it('collects the values of records and plain values, and ignores control elements', async () => {
    const results: number[] = [];
    await subscribeSink(fromCollection([1, 2, 3]).pipe(map((n) => n * 10), collectSink(results))).done;
    expect(results).toEqual([10, 20, 30]);
    expect(() => collectSink('no' as never)).toThrow(InvalidArgumentError);
  });
});

describe('TwoPhaseCommitSink', () => {
  it('commits a transaction only when its checkpoint completes, and the rest at the end of input', async () => {
    const target = new Target();
    const { job, scheduler } = started(new MemoryCheckpointStorage());
    await job.prepare();
    const sink = new TargetSink(target);
    const { done } = subscribeSink(fromCollection(letters.slice(0, 5), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    expect(target.committed).toEqual([]);
    await job.coordinator!.trigger();
    await target.committedAtLeast(2);
    expect(target.committed).toEqual(['a', 'b']);
    scheduler.flush();
    await done;
    expect(target.committed).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(target.staged.size).toBe(0);
  });

  it('a checkpoint that fails leaves its transaction pending: committed with the next completed one', async () => {
    const target = new Target();
    const storage = new MemoryCheckpointStorage();
    const { job, scheduler } = started(storage, 1);
    await job.prepare();
    const sink = new TargetSink(target);
    const { done } = subscribeSink(fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    // the first checkpoint fails when its state cannot be written
    const write = storage.writeState.bind(storage);
    storage.writeState = () => Promise.reject(new Error('storage down'));
    await expect(job.coordinator!.trigger()).rejects.toThrow(/storage down/);
    storage.writeState = write;
    expect(target.committed).toEqual([]);
    expect([...target.staged.values()]).toEqual([['a', 'b']]);
    step(scheduler); // c, d
    await job.coordinator!.trigger();
    await target.committedAtLeast(4);
    expect(target.committed).toEqual(['a', 'b', 'c', 'd']);
    scheduler.flush();
    await done;
    expect(target.committed).toEqual(letters.slice(0, 6));
  });

  it('after a crash before the commit, the restored run commits the pending transaction once and aborts what no checkpoint covers', async () => {
    const storage = new MemoryCheckpointStorage();
    const target = new Target();
    // run 1: a, b, checkpoint 1 completes, but the process dies before its commit reaches the target
    {
      const { job } = started(storage);
      await job.prepare();
      const sink = new TargetSink(target);
      fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)).subscribe({ error: () => {} });
      target.crashAfterPreCommit = true;
      const checkpoint = job.coordinator!.trigger();
      await checkpoint;
      job.coordinator!.stop();
      expect(target.committed).toEqual([]);
    }
    target.down = false;
    target.crashAfterPreCommit = false;
    // run 2: restores checkpoint 1 (source at 2, transaction t0 pending): recommits it, then goes on
    const { job, scheduler } = started(storage);
    await job.prepare();
    const sink = new TargetSink(target);
    const { done } = subscribeSink(fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    await target.committedAtLeast(2);
    expect(target.committed).toEqual(['a', 'b']);
    scheduler.flush();
    await done;
    expect(target.committed).toEqual(letters.slice(0, 6));
    expect(sink.log.filter((l) => l.startsWith('commit'))[0]).toMatch(/^commit r\d+-t0$/);
  });

  it('after a crash after the commit, the repeated commit changes nothing', async () => {
    const storage = new MemoryCheckpointStorage();
    const target = new Target();
    {
      const { job } = started(storage);
      await job.prepare();
      fromCollection(letters.slice(0, 4), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(new TargetSink(target))).subscribe({ error: () => {} });
      await job.coordinator!.trigger();
      await target.committedAtLeast(2);
      // c, d are not emitted (the scheduler never runs): the process dies here
      job.coordinator!.stop();
      target.down = true;
    }
    target.down = false;
    const commitsBefore = target.commits;
    const { job, scheduler } = started(storage);
    await job.prepare();
    const { done } = subscribeSink(fromCollection(letters.slice(0, 4), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(new TargetSink(target))));
    scheduler.flush();
    await done;
    expect(target.commits).toBeGreaterThan(commitsBefore + 1); // the recommit ran, and the final commit
    expect(target.committed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a transaction pre-committed for a checkpoint that never completed is aborted on recovery; its records are replayed', async () => {
    const storage = new MemoryCheckpointStorage();
    const target = new Target();
    {
      // this run's storage never completes a checkpoint's metadata after the first
      let completions = 0;
      const crashing: CheckpointStorage = Object.create(storage);
      crashing.completeCheckpoint = (m, r) => (++completions === 1 ? storage.completeCheckpoint(m, r) : new Promise(() => {}));
      const { job, scheduler } = started(crashing);
      await job.prepare();
      fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(new TargetSink(target))).subscribe({ error: () => {} });
      await job.coordinator!.trigger();
      await target.committedAtLeast(2);
      step(scheduler); // c, d
      // checkpoint 2: the sink pre-commits c, d, then the process dies before the checkpoint is complete
      target.crashAfterPreCommit = true;
      void job.coordinator!.trigger();
      await new Promise<void>((resolve) => {
        const poll = (): void => (target.down ? resolve() : void queueMicrotask(poll));
        poll();
      });
    }
    expect([...target.staged.values()]).toEqual([['c', 'd']]);
    target.down = false;
    target.crashAfterPreCommit = false;
    const { job, scheduler } = started(storage);
    await job.prepare();
    const sink = new TargetSink(target);
    const { done } = subscribeSink(fromCollection(letters.slice(0, 6), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    scheduler.flush();
    await done;
    expect(target.committed).toEqual(letters.slice(0, 6));
    // t1 was the transaction open at checkpoint 1: recovery aborts it (its records were replayed)
    expect(sink.log.some((l) => /^abort r\d+-t1$/.test(l))).toBe(true);
  });

  it('refuses state of another kind under its uid, and a missing uid', async () => {
    expect(() => new TargetSinkWithUid('')).toThrow(InvalidArgumentError);
    const storage = new MemoryCheckpointStorage();
    {
      const { job } = started(storage);
      await job.prepare();
      // a sinkTo under the same uid writes no pending transactions
      fromCollection(['a', 'b'], { job, uid: 'letters', chunkSize: 1 }).pipe(sinkTo(() => {}, { uid: 'target-sink' })).subscribe({ error: () => {} });
      await job.coordinator!.trigger();
      job.coordinator!.stop();
    }
    const { job, scheduler } = started(storage);
    await job.prepare();
    const { done } = subscribeSink(fromCollection(['a', 'b'], { job, uid: 'letters', chunkSize: 1 }).pipe(sinkTo(new TargetSink(new Target()))));
    scheduler.flush();
    await expect(done).rejects.toThrow(/was not written by a two-phase-commit sink/);
  });
});

class TargetSinkWithUid extends TwoPhaseCommitSink<string, Txn> {
  constructor(uid: string) {
    super({ uid });
  }
  protected beginTransaction(): Txn {
    return { id: 'x' };
  }
  protected invoke(): void {}
  protected preCommit(): void {}
  protected commit(): void {}
  protected abort(): void {}
}

class ListWal extends WriteAheadSink<string> {
  readonly sent: Array<[number, string[]]> = [];
  failNext = false;
  protected sendValues(values: string[], checkpointId: number): boolean {
    if (this.failNext) {
      this.failNext = false;
      return false;
    }
    this.sent.push([checkpointId, [...values]]);
    return true;
  }
}

describe('WriteAheadSink', () => {
  it('sends the values of a checkpoint when it completes, retries a failed send at the next one, and the rest at the end', async () => {
    const { job, scheduler } = started(new MemoryCheckpointStorage());
    await job.prepare();
    const sink = new ListWal({ uid: 'wal' });
    const { done } = subscribeSink(fromCollection(letters.slice(0, 5), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    sink.failNext = true;
    const first = await job.coordinator!.trigger();
    await Promise.resolve();
    expect(sink.sent).toEqual([]);
    // emit c, d; the next checkpoint sends both logs
    step(scheduler);
    const second = await job.coordinator!.trigger();
    while (sink.sent.length < 2) await Promise.resolve();
    expect(sink.sent).toEqual([
      [first.checkpointId, ['a', 'b']],
      [second.checkpointId, ['c', 'd']],
    ]);
    scheduler.flush();
    await done;
    expect(sink.sent.flatMap(([, v]) => v)).toEqual(letters.slice(0, 5));
  });

  it('after a crash, sends the restored log unless the committer recorded it', async () => {
    const storage = new MemoryCheckpointStorage();
    const committer = new MemoryCheckpointCommitter();
    {
      const { job } = started(storage);
      await job.prepare();
      const sink = new ListWal({ uid: 'wal', committer });
      // the send "crashes": it never returns, so nothing is recorded
      (sink as unknown as { sendValues: () => Promise<boolean> }).sendValues = () => new Promise(() => {});
      fromCollection(letters.slice(0, 4), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)).subscribe({ error: () => {} });
      await job.coordinator!.trigger();
      job.coordinator!.stop();
    }
    const { job, scheduler } = started(storage);
    await job.prepare();
    const sink = new ListWal({ uid: 'wal', committer });
    const { done } = subscribeSink(fromCollection(letters.slice(0, 4), { job, uid: 'letters', chunkSize: 2 }).pipe(sinkTo(sink)));
    scheduler.flush();
    await done;
    expect(sink.sent.flatMap(([, v]) => v)).toEqual(['a', 'b', 'c', 'd']);
    // a third run restoring the same checkpoint would find it recorded: nothing is sent twice
    expect(committer.isCheckpointCommitted('wal', 0, sink.sent[0]![0])).toBe(true);
  });

  it('fails at the end of input when the last send fails', async () => {
    const sink = new ListWal({ uid: 'wal' });
    sink.failNext = true;
    await expect(subscribeSink(fromCollection(['a']).pipe(sinkTo(sink)) as Observable<never>).done).rejects.toThrow(SinkError);
  });
});

// the sink's stream is typed never: it emits nothing
const typed: Observable<never> = fromCollection([1]).pipe(collectSink<number>([]));
void typed;
