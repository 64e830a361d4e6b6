import { InvalidArgumentError, TidemarkError } from '../core/errors';
import type { Channel, ChannelHandlers, ChannelReceiver, ChannelSender } from './channel';

const ORIGIN = { operator: 'InProcessChannel' };

/**
 * A channel inside one thread: `send` hands the batch to the receiver synchronously, so the receiver has
 * processed it (and returned its credit) when `send` returns. That keeps a parallel stage deterministic
 * and marble-testable. Before `receive` is called, up to `capacity` batches wait in the channel; one more
 * is refused with a `TidemarkError` (a bounded queue: nothing grows without limit).
 *
 * It's like Flink's local input channel, with the task threads removed.
 *
 * @example
 * ```ts
 * const channel = new InProcessChannel<string>({ capacity: 4 });
 * channel.sender.send(['a']);                 // queued: no receiver yet (credit 3)
 * channel.receiver.receive({ batch: (xs) => console.log(xs), close: () => {}, error: () => {} }); // logs ['a']
 * ```
 */
export class InProcessChannel<T> implements Channel<T>, ChannelSender<T>, ChannelReceiver<T> {
  readonly capacity: number;
  private handlers: ChannelHandlers<T> | undefined = undefined;
  private readonly queue: T[][] = [];
  private closed = false;
  private closeQueued = false;
  private readonly waiting: Array<() => void> = [];
  /** The array {@link sendOne} reuses. */
  private readonly single: T[] = [];

  /** @throws InvalidArgumentError when `capacity` is not a positive integer. */
  constructor(options: { capacity?: number } = {}) {
    this.capacity = options.capacity ?? 16;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new InvalidArgumentError(ORIGIN, 'capacity', this.capacity, 'must be a positive integer');
  }

  get sender(): ChannelSender<T> {
    return this;
  }

  get receiver(): ChannelReceiver<T> {
    return this;
  }

  get credit(): number {
    return this.capacity - this.queue.length;
  }

  send(elements: T[]): void {
    if (this.closed || this.closeQueued) throw new TidemarkError(ORIGIN, 'send() after close()');
    const h = this.handlers;
    if (h !== undefined) {
      h.batch(elements);
      return;
    }
    if (this.queue.length >= this.capacity) {
      throw new TidemarkError(ORIGIN, `no credit: ${this.capacity} batches wait for a receiver (call receive() first, or check credit before sending)`);
    }
    this.queue.push(elements);
  }

  /**
   * Sends one element without allocating a batch: the receiver gets a one-element array that is reused
   * for the next call, so it must not keep the array (the parallel stage's receivers do not).
   */
  sendOne(element: T): void {
    const h = this.handlers;
    if (h === undefined || this.closed) {
      this.send([element]);
      return;
    }
    const single = this.single;
    single[0] = element;
    h.batch(single);
  }

  onCredit(f: () => void): void {
    if (this.credit > 0) f();
    else this.waiting.push(f);
  }

  close(): void {
    if (this.closed || this.closeQueued) return;
    if (this.handlers === undefined) {
      this.closeQueued = true;
      return;
    }
    this.closed = true;
    this.handlers.close();
  }

  receive(handlers: ChannelHandlers<T>): void {
    if (this.handlers !== undefined) throw new TidemarkError(ORIGIN, 'receive() was called twice: a channel has one receiver');
    this.handlers = handlers;
    while (this.queue.length > 0) handlers.batch(this.queue.shift()!);
    const waiting = this.waiting.splice(0);
    for (const f of waiting) f();
    if (this.closeQueued) {
      this.closeQueued = false;
      this.closed = true;
      handlers.close();
    }
  }
}
