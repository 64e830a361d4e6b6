import type { OperatorFunction } from 'rxjs';
import type { OperatorSnapshot, RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { CheckpointError, InvalidArgumentError, SinkError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { defaultStateSerializer } from '../state/serializer';
import { sinkOperator } from './sink-operator-internals';
import type { SinkDefinition } from './sink-to';

/**
 * Remembers which checkpoints a {@link WriteAheadSink} has sent, so a restored sink does not send them
 * again. It must outlive the job (a table, a Redis hash: `RedisCheckpointCommitter` in `tidemark/redis`).
 * @see Flink's `CheckpointCommitter`
 */
export interface CheckpointCommitter {
  /** True when `checkpointId` of sink `uid` (subtask `subtask`) was sent and recorded. */
  isCheckpointCommitted(uid: string, subtask: number, checkpointId: number): boolean | Promise<boolean>;
  /** Records that `checkpointId` of sink `uid` (subtask `subtask`) was sent. */
  commitCheckpoint(uid: string, subtask: number, checkpointId: number): void | Promise<void>;
}

/**
 * A {@link CheckpointCommitter} in memory: it does not survive the process, so it only avoids repeats
 * within one run (tests, or a target where repeats are harmless).
 *
 * @example
 * ```ts
 * const committer = new MemoryCheckpointCommitter();
 * await committer.commitCheckpoint('out', 0, 3);
 * await committer.isCheckpointCommitted('out', 0, 3); // true
 * ```
 */
export class MemoryCheckpointCommitter implements CheckpointCommitter {
  private readonly committed = new Set<string>();
  isCheckpointCommitted(uid: string, subtask: number, checkpointId: number): boolean {
    return this.committed.has(`${uid}/${subtask}/${checkpointId}`);
  }
  commitCheckpoint(uid: string, subtask: number, checkpointId: number): void {
    this.committed.add(`${uid}/${subtask}/${checkpointId}`);
  }
}

/** Options of a {@link WriteAheadSink}. */
export interface WriteAheadSinkOptions {
  /** Stable id: the logged records are stored in checkpoints under it. */
  uid: string;
  /** Display name in errors (default the class name). */
  name?: string;
  /** Where sent checkpoints are recorded (default a {@link MemoryCheckpointCommitter}). */
  committer?: CheckpointCommitter;
}

const PENDING = 'pending';

/**
 * The base of sinks for targets without transactions: records are kept in the sink's state (the
 * write-ahead log, part of each checkpoint) and sent only once their checkpoint completes, by
 * `sendValues`; the committer records each sent checkpoint, so a restored sink re-sends only what was not
 * recorded. `sendValues` returns false to retry at the next completed checkpoint.
 *
 * The guarantee is exactly once except for a crash between `sendValues` and the committer's record
 * (those values are sent again after recovery), as in Flink. Memory grows with the records of one
 * checkpoint interval.
 *
 * ```text
 * input:  --a--b--|B1|--c--|
 * sent:           [a b] when checkpoint 1 completes; [c] at the end of input
 * ```
 *
 * @example
 * ```ts
 * class PrintSink extends WriteAheadSink<string> {
 *   protected sendValues(values: string[], checkpointId: number) {
 *     console.log(checkpointId, values);
 *     return true;
 *   }
 * }
 * fromCollection(['a', 'b'], { job, uid: 'letters' }).pipe(sinkTo(new PrintSink({ uid: 'print' }))).subscribe();
 * ```
 * @see sinkTo, TwoPhaseCommitSink, Flink's `GenericWriteAheadSink`
 */
export abstract class WriteAheadSink<T> implements SinkDefinition<T> {
  readonly uid: string;
  readonly name: string;
  readonly committer: CheckpointCommitter;

  constructor(options: WriteAheadSinkOptions) {
    const kind = new.target.name || 'WriteAheadSink';
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError({ operator: kind }, 'options', options, "must be an object like { uid: 'out' }");
    if (typeof options.uid !== 'string' || options.uid.length === 0) throw new InvalidArgumentError({ operator: kind }, 'uid', options.uid, 'must be a non-empty string');
    this.uid = options.uid;
    this.name = options.name ?? kind;
    this.committer = options.committer ?? new MemoryCheckpointCommitter();
  }

  /**
   * Sends the values of one completed checkpoint to the target; returns true when they are written (false
   * or a throw: kept, and tried again at the next completed checkpoint).
   */
  protected abstract sendValues(values: T[], checkpointId: number): boolean | Promise<boolean>;

  /** The sink as an operator; `sinkTo(sink)` calls it. */
  toOperator(): OperatorFunction<StreamElement<T, any>, never> {
    const origin = { operator: this.name, uid: this.uid };
    return sinkOperator<T>(origin, () => {
      let buffer: T[] = [];
      let pending: Array<[number, T[]]> = [];
      let subtask = 0;
      const sendUpTo = async (checkpointId: number, mustSucceed: boolean): Promise<void> => {
        const kept: Array<[number, T[]]> = [];
        for (const entry of pending) {
          const [id, values] = entry;
          if (id > checkpointId) {
            kept.push(entry);
            continue;
          }
          if (Number.isFinite(id) && (await this.committer.isCheckpointCommitted(this.uid, subtask, id))) continue;
          let sent = false;
          let failure: unknown;
          try {
            sent = await this.sendValues(values, id);
          } catch (err) {
            failure = err;
          }
          if (!sent) {
            if (mustSucceed) throw new SinkError(origin, `sendValues failed for checkpoint ${id} at the end of input`, failure === undefined ? undefined : { cause: failure });
            kept.push(entry);
            continue;
          }
          if (Number.isFinite(id)) await this.committer.commitCheckpoint(this.uid, subtask, id);
        }
        pending = kept;
      };
      return {
        open: async (job, restored) => {
          subtask = job?.subtaskIndex ?? 0;
          if (restored === undefined) return;
          const raw = (restored as Partial<RestoredParts>).parts === true ? (restored as RestoredParts).operator.get(PENDING) : undefined;
          if (raw === undefined) throw new CheckpointError(origin, `the state restored under uid "${this.uid}" was not written by a write-ahead sink; give this sink another uid`);
          pending = defaultStateSerializer.deserialize(raw) as Array<[number, T[]]>;
          // the restored checkpoint completed: what it logged is due now
          await sendUpTo(Number.MAX_SAFE_INTEGER, false);
        },
        write: (value) => {
          buffer.push(value);
        },
        snapshot: (barrier): OperatorSnapshot => {
          if (buffer.length > 0) pending.push([barrier.checkpointId, buffer]);
          buffer = [];
          return { parts: true, operator: [[PENDING, defaultStateSerializer.serialize(pending)]] };
        },
        notifyComplete: (checkpointId) => sendUpTo(checkpointId, false),
        finish: async () => {
          if (buffer.length > 0) pending.push([Infinity, buffer]);
          buffer = [];
          await sendUpTo(Infinity, true);
        },
      };
    });
  }
}
