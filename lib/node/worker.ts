/**
 * The worker-thread side of `parallelWorkers`: loads the user's stage from the module it was given, feeds
 * it the subtask's input from the main thread, and sends its output back, in batches, with credit-based
 * flow control both ways. Barriers are rebuilt with an acknowledger that reports to the main thread; the
 * start element with a job context whose coordinator registers uids through the main thread.
 * @module
 */
import { asyncScheduler, Observable, type Subscriber } from 'rxjs';
import { workerData } from 'node:worker_threads';
import type { CheckpointCoordinator, OperatorSnapshot } from '../checkpoint/checkpoint-coordinator';
import { CheckpointBarrier } from '../core/checkpoint-barrier';
import { MetricGroup } from '../core/metrics';
import { StartElement } from '../core/start-element';
import { WorkerChannel } from './worker-channel';
import type { DecodeHooks } from './worker-codec';
import { DEAD, errorData, IN, OUT, STARTED, type WorkerInit, type WorkerMessage } from './worker-protocol';

const init = workerData as WorkerInit;
const cells = new Int32Array(init.shared);
const port = init.port;
const origin = { operator: `parallelWorkers subtask ${init.index}` };
const post = (m: WorkerMessage): void => port.postMessage(m);

process.on('exit', () => {
  Atomics.store(cells, DEAD, 1);
  Atomics.notify(cells, IN);
  Atomics.notify(cells, STARTED);
});

/** A stand-in for the main thread's coordinator: registrations go through the port. */
function remoteCoordinator(): CheckpointCoordinator {
  const view = {
    register(uid: string): () => void {
      post({ reg: uid });
      return () => post({ unreg: uid });
    },
  };
  return view as unknown as CheckpointCoordinator;
}

/** A snapshot whose deferred keyed state is serialized here (a function cannot cross to the main thread). */
function materialize(handle: unknown): unknown {
  const h = handle as OperatorSnapshot;
  if (typeof h !== 'object' || h === null || h.parts !== true || h.deferred === undefined) return handle;
  const keyed = new Map<number, Array<readonly [string, string]>>();
  if (h.keyed !== undefined) for (const [g, entries] of h.keyed) keyed.set(g, [...entries]);
  h.deferred.serialize(0, h.deferred.size, (g, field, value) => {
    let list = keyed.get(g);
    if (list === undefined) keyed.set(g, (list = []));
    list.push([field, value]);
  });
  const { deferred: _deferred, ...rest } = h;
  return { ...rest, keyed };
}

const hooks: DecodeHooks = {
  barrier: (d) =>
    new CheckpointBarrier(
      d.id,
      d.timestamp,
      d.type,
      d.acknowledged
        ? {
            acknowledge(uid, handle) {
              try {
                post({ ack: [d.id, uid, materialize(handle)] });
              } catch (err) {
                post({ decl: [d.id, uid, `its state cannot cross to the main thread: ${(err as Error).message}`] });
              }
            },
            decline(uid, reason) {
              post({ decl: [d.id, uid, reason.message] });
            },
          }
        : undefined,
      false,
      d.full,
    ),
  start: (d) =>
    new StartElement({
      jobName: d.jobName,
      executionMode: d.executionMode,
      bounded: d.bounded,
      subtaskIndex: d.subtaskIndex,
      parallelism: d.parallelism,
      maxParallelism: d.maxParallelism,
      scheduler: asyncScheduler,
      restoredState: d.restoredState,
      metrics: new MetricGroup(d.jobName),
      ...(d.checkpoints ? { checkpoints: remoteCoordinator() } : {}),
    }),
};

async function main(): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(init.module)) as Record<string, unknown>;
  } catch (err) {
    post({ err: errorData(err) });
    return;
  }
  const stage = mod[init.exportName];
  if (typeof stage !== 'function') {
    post({ missing: Object.keys(mod) });
    Atomics.store(cells, STARTED, 1);
    Atomics.notify(cells, STARTED);
    return;
  }
  // waiting for output credit: wake the main thread (it may be waiting for input credit) so it drains
  const out = new WorkerChannel(port, { credits: cells, cell: OUT, hooks, origin, onBlocked: () => Atomics.notify(cells, IN) });
  let buffer: unknown[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffer.length === 0) return;
    const b = buffer;
    buffer = [];
    out.send(b);
  };
  let input: Subscriber<unknown> | undefined;
  const output = (stage as (input: Observable<unknown>, index: number) => Observable<unknown>)(
    new Observable<unknown>((s) => {
      input = s;
    }),
    init.index,
  );
  output.subscribe({
    next: (el) => {
      buffer.push(el);
      if (buffer.length >= init.batchSize) flush();
      else if (!scheduled) {
        // output outside an input batch (a processing-time timer): flush it soon
        scheduled = true;
        setImmediate(flush);
      }
    },
    error: (err: unknown) => {
      try {
        flush();
      } finally {
        post({ err: errorData(err) });
      }
    },
    complete: () => {
      flush();
      post({ done: 1 });
    },
  });
  const channel = new WorkerChannel(port, { credits: cells, cell: IN, hooks, origin });
  channel.receive({
    batch: (elements) => {
      for (const el of elements) {
        input?.next(el);
        if (el instanceof StartElement) {
          Atomics.store(cells, STARTED, 1);
          Atomics.notify(cells, STARTED);
        }
      }
      flush();
    },
    close: () => input?.complete(),
    error: (err) => input?.error(err),
  });
}

void main();
