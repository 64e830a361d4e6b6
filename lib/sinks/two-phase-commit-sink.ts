import type { OperatorFunction } from 'rxjs';
import type { OperatorSnapshot, RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { CheckpointError, InvalidArgumentError } from '../core/errors';
import type { JobContext } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { defaultStateSerializer } from '../state/serializer';
import { type SinkContext, sinkOperator } from './sink-operator-internals';
import type { SinkDefinition } from './sink-to';

/** Options of a {@link TwoPhaseCommitSink}. */
export interface TwoPhaseCommitSinkOptions {
  /** Stable id: the sink's transactions are stored in checkpoints under it. */
  uid: string;
  /** Display name in errors (default the class name). */
  name?: string;
}

/** What {@link TwoPhaseCommitSink.open} receives. */
export interface TwoPhaseCommitSinkContext {
  readonly uid: string;
  readonly jobName: string;
  readonly subtaskIndex: number;
  /** The job context from the start element, `undefined` when the stream had none. */
  readonly job: JobContext | undefined;
}

const PENDING = 'pending';
const CURRENT = 'current';

/**
 * The base of exactly-once sinks for systems with transactions (or something that acts like one: a
 * staging area and an atomic move). Extend it and implement the five steps; `sinkTo(new MySink(...))`
 * runs it:
 *
 * - `beginTransaction()` opens a transaction; `invoke(txn, value)` writes a record into it;
 * - at each barrier, `preCommit(txn)` makes its writes durable (but invisible), the transaction becomes
 *   pending under the checkpoint's id, and a new one begins; the pending transactions are the sink's state
 *   in the checkpoint;
 * - when the checkpoint completes, `commit(txn)` makes them visible, in order. A commit must be safe to
 *   repeat: after a crash, the pending transactions of the restored checkpoint are committed again
 *   (`recoverAndCommit`), since the crash may have come before or after their commit;
 * - the transaction open at the restored checkpoint is aborted (`recoverAndAbort`), and then
 *   `abortLingering()` may abort whatever else an earlier run left (transactions of checkpoints that never
 *   completed): their records are replayed by the sources.
 *
 * A checkpoint that fails leaves its transaction pending: if the job goes on, it is committed with the
 * next completed checkpoint (its records were before that barrier too); if the job fails, recovery aborts
 * it. At the end of input the open and pending transactions are committed. A transaction object must be
 * plain data (it is stored with the default state serializer). One instance runs one sink at a time.
 *
 * ```text
 * input:        --a--b--|B1|--c--|B2|--d--|
 * transactions: [a b] pre-committed at B1, committed when checkpoint 1 completes; [c] at B2; [d] at the end
 * ```
 *
 * @example
 * ```ts
 * class ArraySink extends TwoPhaseCommitSink<string, { id: number; rows: string[] }> {
 *   committed: string[] = [];
 *   private staged = new Map<number, string[]>();
 *   private next = 0;
 *   protected beginTransaction() { return { id: this.next++, rows: [] } }
 *   protected invoke(txn: { id: number; rows: string[] }, value: string) { txn.rows.push(value) }
 *   protected preCommit(txn: { id: number; rows: string[] }) { this.staged.set(txn.id, txn.rows) }
 *   protected commit(txn: { id: number; rows: string[] }) {
 *     const rows = this.staged.get(txn.id);
 *     if (rows === undefined) return; // committed already: a repeated commit does nothing
 *     this.committed.push(...rows);
 *     this.staged.delete(txn.id);
 *   }
 *   protected abort(txn: { id: number; rows: string[] }) { this.staged.delete(txn.id) }
 * }
 * fromCollection(['a', 'b'], { job, uid: 'letters' }).pipe(sinkTo(new ArraySink({ uid: 'out' }))).subscribe();
 * ```
 * @typeParam T the record values it writes.
 * @typeParam Txn the transaction handle (plain data).
 * @see sinkTo, Flink's `TwoPhaseCommitSinkFunction`
 */
export abstract class TwoPhaseCommitSink<T, Txn> implements SinkDefinition<T> {
  readonly uid: string;
  readonly name: string;

  constructor(options: TwoPhaseCommitSinkOptions) {
    const kind = new.target.name || 'TwoPhaseCommitSink';
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError({ operator: kind }, 'options', options, "must be an object like { uid: 'out' }");
    if (typeof options.uid !== 'string' || options.uid.length === 0) throw new InvalidArgumentError({ operator: kind }, 'uid', options.uid, 'must be a non-empty string');
    this.uid = options.uid;
    this.name = options.name ?? kind;
  }

  /** Opens connections; runs before recovery. */
  protected open(_context: TwoPhaseCommitSinkContext): void | Promise<void> {}
  /** Closes connections; runs at the end of input, error or unsubscribe. */
  protected close(): void | Promise<void> {}
  /** Opens a new transaction. */
  protected abstract beginTransaction(): Txn | Promise<Txn>;
  /** Writes one record into `transaction`. */
  protected abstract invoke(transaction: Txn, value: T, context: SinkContext): void | Promise<void>;
  /** Makes the transaction's writes durable but not yet visible (at the barrier). */
  protected abstract preCommit(transaction: Txn): void | Promise<void>;
  /** Makes a pre-committed transaction visible. Must be safe to repeat (after a crash it may run again). */
  protected abstract commit(transaction: Txn): void | Promise<void>;
  /** Discards a transaction. */
  protected abstract abort(transaction: Txn): void | Promise<void>;
  /** Commits a pending transaction of the restored checkpoint (default: `commit`). */
  protected recoverAndCommit(transaction: Txn): void | Promise<void> {
    return this.commit(transaction);
  }
  /** Aborts the transaction that was open at the restored checkpoint (default: `abort`). */
  protected recoverAndAbort(transaction: Txn): void | Promise<void> {
    return this.abort(transaction);
  }
  /** After recovery, aborts what an earlier run left behind that no checkpoint covers (default: nothing). */
  protected abortLingering(): void | Promise<void> {}

  /** The sink as an operator; `sinkTo(sink)` calls it. */
  toOperator(): OperatorFunction<StreamElement<T, any>, never> {
    const origin = { operator: this.name, uid: this.uid };
    return sinkOperator<T>(origin, () => {
      let current!: Txn;
      let pending: Array<[number, Txn]> = [];
      let closed = false;
      const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        await this.close();
      };
      const commitUpTo = async (checkpointId: number): Promise<void> => {
        while (pending.length > 0 && pending[0]![0] <= checkpointId) {
          await this.commit(pending[0]![1]);
          pending.shift();
        }
      };
      return {
        open: async (job, restored) => {
          await this.open({ uid: this.uid, jobName: job?.jobName ?? 'tidemark-job', subtaskIndex: job?.subtaskIndex ?? 0, job });
          if (restored !== undefined) {
            const { pending: restoredPending, current: restoredCurrent } = readState<Txn>(restored, origin);
            for (const [, txn] of restoredPending) await this.recoverAndCommit(txn);
            if (restoredCurrent !== undefined) await this.recoverAndAbort(restoredCurrent);
          }
          await this.abortLingering();
          current = await this.beginTransaction();
        },
        write: (value, context) => this.invoke(current, value, context),
        snapshot: async (barrier): Promise<OperatorSnapshot> => {
          await this.preCommit(current);
          pending.push([barrier.checkpointId, current]);
          current = await this.beginTransaction();
          return {
            parts: true,
            operator: [
              [PENDING, defaultStateSerializer.serialize(pending)],
              [CURRENT, defaultStateSerializer.serialize(current)],
            ],
          };
        },
        notifyComplete: (checkpointId) => commitUpTo(checkpointId),
        finish: async () => {
          await this.preCommit(current);
          pending.push([Infinity, current]);
          await commitUpTo(Infinity);
          pending = [];
          await close();
        },
        abandon: async () => {
          try {
            if (current !== undefined) await this.abort(current);
          } finally {
            await close();
          }
        },
      };
    });
  }
}

function readState<Txn>(restored: unknown, origin: { operator: string; uid: string }): { pending: Array<[number, Txn]>; current: Txn | undefined } {
  const parts = restored as Partial<RestoredParts>;
  const rawPending = parts.parts === true ? parts.operator?.get(PENDING) : undefined;
  if (rawPending === undefined) {
    throw new CheckpointError(origin, `the state restored under uid "${origin.uid}" was not written by a two-phase-commit sink; give this sink another uid`);
  }
  const pending = defaultStateSerializer.deserialize(rawPending) as Array<[number, Txn]>;
  const rawCurrent = parts.operator!.get(CURRENT);
  return { pending, current: rawCurrent === undefined ? undefined : (defaultStateSerializer.deserialize(rawCurrent) as Txn) };
}
