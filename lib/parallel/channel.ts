/**
 * The channel interface: what connects one upstream subtask to one downstream subtask. A parallel stage
 * knows channels only through it, so the same operators run over in-process channels (this package),
 * worker-thread channels (`tidemark/node`) and, later, Redis Streams.
 * @module
 */

/** What a channel's receiving side calls. */
export interface ChannelHandlers<T> {
  /** One batch, in the order it was sent. The receiver owns the array. */
  batch(elements: T[]): void;
  /** The sender closed the channel: no batch follows. */
  close(): void;
  /** The channel broke (a worker died, a connection dropped). */
  error(err: unknown): void;
}

/**
 * The sending side of a channel.
 *
 * Flow control is credit-based, as in Flink's network stack: the receiver grants credit for a bounded
 * number of batches and returns one credit per batch it has processed. A sender checks `credit` (or just
 * sends: `send` on a channel without credit waits for it in the way its transport can, see each
 * implementation), and a sender that can pause (a pausable source) waits for `onCredit` instead.
 */
export interface ChannelSender<T> {
  /** Batches that may be sent now without waiting. */
  readonly credit: number;
  /**
   * Sends a batch of elements (records, watermarks, statuses, barriers...). The channel owns `elements`
   * afterwards: do not change the array.
   */
  send(elements: T[]): void;
  /** Calls `f` once when the channel has credit (at once when it has some now). */
  onCredit(f: () => void): void;
  /** Ends the channel: the receiver's `close` runs after every batch sent before. */
  close(): void;
}

/** The receiving side of a channel. */
export interface ChannelReceiver<T> {
  /** Starts delivery to `handlers` (once per channel). */
  receive(handlers: ChannelHandlers<T>): void;
}

/**
 * One channel: a sender and a receiver with bounded, credit-based flow control in between.
 *
 * @example
 * ```ts
 * const channel: Channel<number> = new InProcessChannel<number>();
 * channel.receiver.receive({ batch: (xs) => console.log(xs), close: () => console.log('closed'), error: console.error });
 * channel.sender.send([1, 2, 3]); // logs [1, 2, 3]
 * channel.sender.close();         // logs closed
 * ```
 */
export interface Channel<T> {
  readonly sender: ChannelSender<T>;
  readonly receiver: ChannelReceiver<T>;
}
