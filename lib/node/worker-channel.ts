import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { TidemarkError } from '../core/errors';
import type { Channel, ChannelHandlers, ChannelReceiver, ChannelSender } from '../parallel/channel';
import { decodeBatch, type DecodeHooks, encodeBatch } from './worker-codec';

/** Options of a {@link WorkerChannel}. */
export interface WorkerChannelOptions {
  /** Where the credit lives: an `Int32Array` on a `SharedArrayBuffer` both threads hold, and the cell. */
  credits: Int32Array;
  cell: number;
  /** Rebuilds barriers and start elements on the receiving side. */
  hooks: DecodeHooks;
  /** Names the channel in errors. */
  origin: { operator: string };
  /** Runs while `send` waits for credit (the main thread drains its workers' output there). */
  onBlocked?: () => void;
  /** Throws when the other side is gone (checked while `send` waits). */
  checkAlive?: () => void;
  /** Messages on the port that are not batches (acknowledgements, registrations, errors...). */
  onControl?: (message: unknown) => void;
}

interface BatchMessage {
  readonly b?: unknown[];
  readonly c?: 1;
}

/**
 * A channel across threads over a `MessagePort`: each batch is encoded into one flat array and sent by
 * structured clone; credit is a counter in shared memory, taken by the sender per batch and given back
 * by the receiver once it processed the batch. A sender without credit blocks its thread
 * (`Atomics.wait`, in slices, running `onBlocked` in between): a synchronous RxJS source cannot pause any
 * other way, and the queue between the threads stays bounded.
 *
 * It's like Flink's remote input channel with credit-based flow control, between threads.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const credits = new Int32Array(new SharedArrayBuffer(4)); credits[0] = 8; // 8 batches in flight at most
 * const out = new WorkerChannel(port1, { credits, cell: 0, hooks, origin: { operator: 'stage' } });
 * out.sender.send([record]); // the other thread: new WorkerChannel(port2, ...).receiver.receive(handlers)
 * ```
 */
export class WorkerChannel implements Channel<unknown>, ChannelSender<unknown>, ChannelReceiver<unknown> {
  private handlers: ChannelHandlers<unknown> | undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly options: WorkerChannelOptions,
  ) {}

  get sender(): ChannelSender<unknown> {
    return this;
  }

  get receiver(): ChannelReceiver<unknown> {
    return this;
  }

  get credit(): number {
    return Atomics.load(this.options.credits, this.options.cell);
  }

  send(elements: unknown[]): void {
    const { credits, cell } = this.options;
    while (Atomics.load(credits, cell) <= 0) {
      this.options.onBlocked?.();
      this.options.checkAlive?.();
      if (Atomics.load(credits, cell) > 0) break;
      Atomics.wait(credits, cell, 0, 20);
    }
    Atomics.sub(credits, cell, 1);
    this.port.postMessage({ b: encodeBatch(elements, this.options.origin) } satisfies BatchMessage);
  }

  onCredit(f: () => void): void {
    const { credits, cell } = this.options;
    if (Atomics.load(credits, cell) > 0) {
      f();
      return;
    }
    // Atomics.waitAsync (Node 16+; not in this project's ES2022 lib typings)
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> | string } }).waitAsync;
    const waited = waitAsync(credits, cell, 0);
    if (waited.async) void (waited.value as Promise<unknown>).then(() => this.onCredit(f));
    else this.onCredit(f);
  }

  close(): void {
    this.port.postMessage({ c: 1 } satisfies BatchMessage);
  }

  receive(handlers: ChannelHandlers<unknown>): void {
    if (this.handlers !== undefined) throw new TidemarkError(this.options.origin, 'receive() was called twice: a channel has one receiver');
    this.handlers = handlers;
    this.port.on('message', (m: unknown) => this.handle(m));
  }

  /** Handles the messages already queued on the port, synchronously (while this thread is blocked). */
  drain(): void {
    for (let r = receiveMessageOnPort(this.port); r !== undefined; r = receiveMessageOnPort(this.port)) this.handle(r.message);
  }

  private handle(m: unknown): void {
    const h = this.handlers;
    const msg = m as BatchMessage;
    if (h === undefined) return;
    if (msg.b !== undefined) {
      const batch: unknown[] = [];
      try {
        decodeBatch(msg.b, this.options.hooks, (el) => batch.push(el));
        h.batch(batch);
      } finally {
        Atomics.add(this.options.credits, this.options.cell, 1);
        Atomics.notify(this.options.credits, this.options.cell);
      }
    } else if (msg.c === 1) h.close();
    else this.options.onControl?.(m);
  }
}
