/**
 * The runtime every sink is built on: one serial work queue per subscription (opening, writes, snapshots at
 * barriers, commits on checkpoint notifications, the end of input), run synchronously while each step is
 * synchronous and resumed when an asynchronous step settles. A sink emits nothing; its stream completes
 * once everything before the end of input is written (and committed), and errors when a step fails.
 * @module
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, type ErrorOrigin, wrapUserError } from '../core/errors';
import type { JobContext } from '../core/start-element';
import { ElementKind, type StreamElement, StreamElementBase } from '../core/stream-element';
import type { StreamRecord } from '../core/stream-record';
import type { Key, Timestamp } from '../core/types';

/** What a sink's write function gets besides the value. */
export interface SinkContext {
  /** The record's event timestamp, or `undefined` when it has none. */
  readonly timestamp: Timestamp | undefined;
  /** The record's key (after `keyBy`), or `undefined`. */
  readonly key: Key | undefined;
}

/** What a sink does at each step; any step may return a promise (the next waits for it). */
export interface SinkSteps<T> {
  /** Before anything else, with the job context and the state restored under the sink's uid (if any). */
  open(job: JobContext | undefined, restored: unknown): void | Promise<void>;
  write(value: T, context: SinkContext): void | Promise<void>;
  /** At a barrier: what to acknowledge it with. */
  snapshot(barrier: CheckpointBarrier): unknown;
  notifyComplete?(checkpointId: number): void | Promise<void>;
  notifyAborted?(checkpointId: number, reason: Error): void | Promise<void>;
  /** At the end of input: write and commit what is left. */
  finish?(): void | Promise<void>;
  /** At error or unsubscribe, once, if opened (not after finish). */
  abandon?(): void | Promise<void>;
}

type Step = () => unknown;

function isPromise(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** Whether the stateful part of a sink needs a uid: when the job checkpoints. */
export function requireSinkUid(origin: ErrorOrigin, job: JobContext | undefined): string | undefined {
  if (job?.checkpoints === undefined) return origin.uid;
  if (origin.uid === undefined) {
    throw new CheckpointError(origin, `job "${job.jobName}" checkpoints, so this sink needs a uid to store its state under: add { uid: '...' } to its options`);
  }
  return origin.uid;
}

/**
 * Builds a sink operator from `steps` (built once per subscription). The sink registers its uid with the
 * job's checkpoint coordinator (when the job checkpoints) and hears about completed and aborted checkpoints.
 */
export function sinkOperator<T>(origin: ErrorOrigin, makeSteps: () => SinkSteps<T>): OperatorFunction<StreamElement<T, any>, never> {
  return (source) =>
    new Observable<never>((destination) => {
      const steps = makeSteps();
      const queue: Step[] = [];
      let running = false;
      let failed = false;
      let opened = false;
      let finished = false;
      let unregister: (() => void) | undefined;
      const d = destination as Subscriber<unknown>;

      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        queue.length = 0;
        d.error(wrapUserError(origin, err));
      };

      /** Runs queued steps until one is asynchronous (resumed when it settles) or the queue is empty. */
      const drain = (): void => {
        if (running) return;
        running = true;
        try {
          while (queue.length > 0 && !failed) {
            const step = queue.shift()!;
            let r: unknown;
            try {
              r = step();
            } catch (err) {
              fail(err);
              return;
            }
            if (isPromise(r)) {
              r.then(
                () => {
                  running = false;
                  drain();
                },
                (err: unknown) => {
                  running = false;
                  fail(err);
                },
              );
              return;
            }
          }
          running = false;
        } finally {
          if (failed) running = false;
        }
      };
      const enqueue = (step: Step): void => {
        if (failed) return;
        queue.push(step);
        if (!running) drain();
      };
      /** A write, run at once when nothing is queued (the common case: no closure, no queue). */
      const write = (value: T, context: SinkContext): void => {
        if (failed) return;
        if (running || queue.length > 0) {
          enqueue(() => steps.write(value, context));
          return;
        }
        let r: unknown;
        try {
          r = steps.write(value, context);
        } catch (err) {
          fail(err);
          return;
        }
        if (isPromise(r)) {
          running = true;
          r.then(
            () => {
              running = false;
              drain();
            },
            (err: unknown) => {
              running = false;
              fail(err);
            },
          );
        }
      };

      const open = (job: JobContext | undefined): void => {
        if (opened) return;
        opened = true;
        let uid: string | undefined;
        try {
          uid = requireSinkUid(origin, job);
        } catch (err) {
          fail(err);
          return;
        }
        const coordinator = job?.checkpoints;
        if (coordinator !== undefined && uid !== undefined) {
          try {
            unregister = coordinator.register(uid, {
              notifyCheckpointComplete: (id) => {
                if (steps.notifyComplete !== undefined) enqueue(() => steps.notifyComplete!(id));
              },
              notifyCheckpointAborted: (id, reason) => {
                if (steps.notifyAborted !== undefined) enqueue(() => steps.notifyAborted!(id, reason));
              },
            });
          } catch (err) {
            fail(err);
            return;
          }
        }
        const restored = uid === undefined ? undefined : job?.restoredState?.get(uid);
        enqueue(() => steps.open(job, restored));
      };

      const onBarrier = (barrier: CheckpointBarrier): void => {
        const ack = barrier.acknowledger;
        const uid = origin.uid;
        enqueue(() => {
          let handle: unknown;
          try {
            handle = steps.snapshot(barrier);
          } catch (err) {
            if (uid !== undefined) ack?.decline(uid, err instanceof Error ? err : new Error(String(err)));
            throw err;
          }
          const done = (h: unknown): void => {
            if (uid !== undefined) ack?.acknowledge(uid, h);
          };
          if (!isPromise(handle)) {
            done(handle);
            return undefined;
          }
          return Promise.resolve(handle).then(done, (err: unknown) => {
            if (uid !== undefined) ack?.decline(uid, err instanceof Error ? err : new Error(String(err)));
            throw err;
          });
        });
      };

      const subscription = source.subscribe({
        next: (x: unknown) => {
          if (failed) return;
          if (!(x instanceof StreamElementBase)) {
            if (!opened) open(undefined);
            write(x as T, { timestamp: undefined, key: undefined });
            return;
          }
          const el = x as Exclude<StreamElement<T>, T>;
          switch (el.kind) {
            case ElementKind.Start:
              open(el.context);
              return;
            case ElementKind.Record: {
              if (!opened) open(undefined);
              const r = el as StreamRecord<T>;
              write(r.value, { timestamp: r.timestamp, key: r.key });
              return;
            }
            case ElementKind.Barrier:
              if (!opened) open(undefined);
              onBarrier(el);
              return;
            default:
              // watermarks, statuses and side outputs end here
              return;
          }
        },
        error: (err: unknown) => fail(err),
        complete: () => {
          if (!opened) open(undefined);
          enqueue(() => {
            finished = true;
            return steps.finish?.();
          });
          enqueue(() => {
            unregister?.();
            unregister = undefined;
            d.complete();
          });
        },
      });

      return () => {
        subscription.unsubscribe();
        unregister?.();
        unregister = undefined;
        if (opened && !finished && steps.abandon !== undefined) {
          try {
            const r = steps.abandon();
            if (isPromise(r)) Promise.resolve(r).catch(() => {});
          } catch {
            // teardown: nobody is left to tell
          }
        }
      };
    });
}
