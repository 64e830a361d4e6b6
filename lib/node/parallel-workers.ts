import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError } from '../core/errors';
import type { InputObserver } from '../core/operate-elements';
import { StartElement } from '../core/start-element';
import { ElementKind, StreamElementBase } from '../core/stream-element';
import type { ChannelFactory, SubtaskHost } from '../parallel/exchange-internals';
import { checkParallelism, parallelStage, type ParallelStream } from '../parallel/parallel';
import { WorkerChannel } from './worker-channel';
import { WorkerError } from './worker-error';
import { CELLS, DEAD, fromErrorData, IN, OUT, STARTED, type WorkerInit, type WorkerMessage } from './worker-protocol';

/** Options of {@link parallelWorkers}. */
export interface ParallelWorkersOptions {
  /** Names the stage in errors (default `"parallelWorkers"`). */
  name?: string;
  /** The name of the module's export that is the stage (default `"stage"`). */
  exportName?: string;
  /** Records per batch across the thread boundary (default 256). A control element flushes at once. */
  batchSize?: number;
  /** Batches in flight per direction and worker before the sender waits (default 8): the bounded queue. */
  capacity?: number;
  /**
   * The worker entry script (default: `worker.js` (ESM) or `worker.cjs` next to `tidemark/node`'s build).
   * Needed only when tidemark is bundled into an application.
   */
  workerScript?: string | URL;
  /** Channels between the upstream and the subtasks' valves, in the main thread (default in-process). */
  channels?: ChannelFactory;
}

function defaultWorkerScript(): string | URL {
  // the CommonJS build has __filename; the ESM build has import.meta.url
  if (typeof __filename === 'string') return join(dirname(__filename), 'worker.cjs');
  return new URL('./worker.js', import.meta.url);
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? module : pathToFileURL(resolve(module)).href;
}

/**
 * Runs a parallel stage on worker threads: `parallelism` workers, each loading the stage from `module`
 * (its export `stage`, a function `(input) => input.pipe(...)` as `parallel` takes), one subtask per
 * worker. Everything else is as `parallel`: partitioners before it, key groups, watermarks and barriers
 * across channels, the merge.
 *
 * Records cross the thread boundary in batches (structured clone of a flat array; see
 * docs/parallelism.md for the measurement); a watermark, status, barrier or start element flushes the batch
 * at once, and a batch not full yet is flushed at the end of the current synchronous run. Queues are
 * bounded: a worker that falls behind leaves its producer without credit, and the producer's thread waits.
 * A stage that errors fails the stream with a {@link WorkerError} naming the subtask (the stage's error is
 * its `cause`); so does a worker that dies. With checkpoints, barriers cross too: each worker's operators
 * register their uids and acknowledge through the main thread.
 *
 * It's like a Flink task manager slot per subtask, as threads of one process.
 *
 * ```text
 * main thread:   source ─► partitioner ─► valve 0 ─► worker 0: stage ─┐
 *                                    └─► valve 1 ─► worker 1: stage ─┴─► merge ─► output
 * ```
 *
 * @example
 * ```ts
 * // stage.js: export function stage(input) { return input.pipe(map(parse), keyBy((e) => e.user), sum('n')) }
 * lines$.pipe(rebalance(), parallelWorkers(2, new URL('./stage.js', import.meta.url)), values())
 * ```
 * @param parallelism the number of worker threads (subtasks).
 * @param module the module that exports the stage: a path, a `file:` URL or a package specifier.
 * @throws InvalidArgumentError when `parallelism` is not a positive integer or an option is bad; as the
 * stream's error, when the module does not export the stage. `WorkerError` (as the stream's error) when a
 * subtask fails.
 * @see parallel, WorkerChannel
 */
export function parallelWorkers<T, R>(parallelism: number, module: string | URL, options: ParallelWorkersOptions = {}): (source: import('rxjs').Observable<import('../core/stream-element').StreamElement<T, any>>) => ParallelStream<R> {
  const origin = { operator: options.name ?? 'parallelWorkers' };
  checkParallelism(origin, parallelism);
  if (typeof module !== 'string' && !(module instanceof URL)) throw new InvalidArgumentError(origin, 'module', module, 'must be a path or URL of the module that exports the stage');
  const exportName = options.exportName ?? 'stage';
  const batchSize = options.batchSize ?? 256;
  const capacity = options.capacity ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(origin, 'batchSize', batchSize, 'must be a positive integer');
  if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidArgumentError(origin, 'capacity', capacity, 'must be a positive integer');
  const href = moduleHref(module);
  const script = options.workerScript ?? defaultWorkerScript();
  const host: SubtaskHost = { open: (j, m, output, teardown) => openWorker({ j, m, output, teardown, href, script, exportName, batchSize, capacity, origin }) };
  return parallelStage<R>(parallelism, host, origin, options.channels);
}

interface WorkerSpec {
  readonly j: number;
  readonly m: number;
  readonly output: InputObserver;
  readonly teardown: import('rxjs').Subscriber<unknown>;
  readonly href: string;
  readonly script: string | URL;
  readonly exportName: string;
  readonly batchSize: number;
  readonly capacity: number;
  readonly origin: { operator: string };
}

/** Starts subtask `j` on a worker thread; returns the observer of its input. */
function openWorker(spec: WorkerSpec): InputObserver {
  const { j, m, output, teardown, origin } = spec;
  const shared = new SharedArrayBuffer(CELLS * 4);
  const cells = new Int32Array(shared);
  cells[IN] = spec.capacity;
  cells[OUT] = spec.capacity;
  const { port1, port2 } = new MessageChannel();
  const init: WorkerInit = { module: spec.href, exportName: spec.exportName, index: j, parallelism: m, batchSize: spec.batchSize, shared, port: port2 };
  const worker = new Worker(spec.script, { workerData: init, transferList: [port2] });
  let failure: Error | undefined;
  let done = false;
  const fail = (err: Error): void => {
    if (failure !== undefined || done) return;
    failure = err;
    output.error(err);
  };
  teardown.add(() => {
    port1.close();
    void worker.terminate();
  });
  const barriers = new Map<number, CheckpointBarrier>();
  let sentStart: StartElement | undefined;
  const registrations = new Map<string, () => void>();
  const control = (message: unknown): void => {
    const msg = message as WorkerMessage;
    if ('done' in msg) {
      done = true;
      output.complete();
    } else if ('err' in msg) {
      fail(new WorkerError(origin, j, m, `failed: ${msg.err.name}: ${msg.err.message}`, fromErrorData(msg.err)));
    } else if ('missing' in msg) {
      fail(
        new InvalidArgumentError(
          origin,
          'module',
          spec.href,
          `must export a function named "${spec.exportName}" (input) => input.pipe(...); its exports are ${msg.missing.length === 0 ? 'none' : msg.missing.join(', ')}`,
        ),
      );
    } else if ('reg' in msg) {
      const coordinator = sentStart?.context.checkpoints;
      if (coordinator === undefined) return;
      try {
        registrations.set(msg.reg, coordinator.register(msg.reg));
      } catch (err) {
        fail(err as Error);
      }
    } else if ('unreg' in msg) {
      registrations.get(msg.unreg)?.();
      registrations.delete(msg.unreg);
    } else if ('ack' in msg) {
      barriers.get(msg.ack[0])?.acknowledger?.acknowledge(msg.ack[1], msg.ack[2]);
    } else if ('decl' in msg) {
      barriers.get(msg.decl[0])?.acknowledger?.decline(msg.decl[1], new CheckpointError(origin, msg.decl[2]));
    }
  };
  const hooks = {
    barrier: (d: { id: number; timestamp: number; type: 'checkpoint' | 'savepoint'; full: boolean }) => {
      const b = barriers.get(d.id) ?? new CheckpointBarrier(d.id, d.timestamp, d.type, undefined, false, d.full);
      barriers.delete(d.id);
      return b;
    },
    start: () => sentStart!,
  };
  const fromWorker = new WorkerChannel(port1, { credits: cells, cell: OUT, hooks, origin, onControl: control });
  fromWorker.receive({
    batch: (elements) => {
      for (const el of elements) if (failure === undefined) output.next(el);
    },
    close: () => {},
    error: (err) => fail(err as Error),
  });
  const checkAlive = (): void => {
    if (failure !== undefined) throw failure;
    if (Atomics.load(cells, DEAD) === 1) {
      fromWorker.drain();
      fail(new WorkerError(origin, j, m, 'died'));
      throw failure!;
    }
  };
  const toWorker = new WorkerChannel(port1, { credits: cells, cell: IN, hooks, origin, onBlocked: () => fromWorker.drain(), checkAlive });
  worker.on('error', (err) => fail(new WorkerError(origin, j, m, `crashed: ${err.message}`, err)));
  worker.on('exit', (code) => {
    if (!done) fail(new WorkerError(origin, j, m, `exited with code ${code} before its stage completed`));
  });

  let pending: unknown[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0 || failure !== undefined) return;
    const batch = pending;
    pending = [];
    toWorker.send(batch);
  };
  const awaitStarted = (): void => {
    while (Atomics.load(cells, STARTED) === 0) {
      fromWorker.drain();
      checkAlive();
      Atomics.wait(cells, STARTED, 0, 20);
    }
    // the registrations the worker's operators made when they opened
    fromWorker.drain();
    checkAlive();
  };
  return {
    next(el) {
      if (failure !== undefined) return;
      pending.push(el);
      if (el instanceof StreamElementBase && el.kind !== ElementKind.Record) {
        if (el.kind === ElementKind.Start) sentStart = el as StartElement;
        else if (el.kind === ElementKind.Barrier) barriers.set((el as CheckpointBarrier).checkpointId, el as CheckpointBarrier);
        flush();
        if (el.kind === ElementKind.Start) awaitStarted();
        return;
      }
      if (pending.length >= spec.batchSize) flush();
      else if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    complete() {
      flush();
      if (failure === undefined) toWorker.close();
    },
    error(err) {
      fail(err as Error);
    },
  };
}
