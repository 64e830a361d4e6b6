import type { SchedulerLike } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { InProcessChannel, InvalidArgumentError, keyBy, parallel, TidemarkError, type Channel, type ChannelHandlers, type ChannelReceiver, type ChannelSender } from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';

/** A channel that delivers each batch one frame later on a scheduler: an asynchronous transport. */
class DelayedChannel<T> implements Channel<T>, ChannelSender<T>, ChannelReceiver<T> {
  private handlers: ChannelHandlers<T> | undefined;
  batches = 0;
  constructor(private readonly scheduler: SchedulerLike) {}
  get sender(): ChannelSender<T> {
    return this;
  }
  get receiver(): ChannelReceiver<T> {
    return this;
  }
  readonly credit = 1;
  send(elements: T[]): void {
    this.batches++;
    this.scheduler.schedule(() => this.handlers!.batch(elements), 1);
  }
  onCredit(f: () => void): void {
    f();
  }
  close(): void {
    this.scheduler.schedule(() => this.handlers!.close(), 1);
  }
  receive(handlers: ChannelHandlers<T>): void {
    this.handlers = handlers;
  }
}

describe('InProcessChannel', () => {
  it('delivers batches synchronously to its receiver, in order, then closes', () => {
    const c = new InProcessChannel<number>();
    const seen: Array<number[] | 'closed'> = [];
    c.receiver.receive({ batch: (xs) => seen.push(xs), close: () => seen.push('closed'), error: () => {} });
    c.sender.send([1, 2]);
    expect(seen).toEqual([[1, 2]]);
    c.sender.send([3]);
    c.sender.close();
    expect(seen).toEqual([[1, 2], [3], 'closed']);
    expect(() => c.sender.send([4])).toThrow(TidemarkError);
  });

  it('queues up to its capacity before a receiver is there, and gives the credit back when one is', () => {
    const c = new InProcessChannel<string>({ capacity: 2 });
    c.sender.send(['a']);
    expect(c.sender.credit).toBe(1);
    c.sender.send(['b']);
    expect(c.sender.credit).toBe(0);
    let credited = false;
    c.sender.onCredit(() => (credited = true));
    expect(credited).toBe(false);
    expect(() => c.sender.send(['c'])).toThrow('InProcessChannel: no credit: 2 batches wait for a receiver (call receive() first, or check credit before sending)');
    c.sender.close();
    const seen: Array<string[] | 'closed'> = [];
    c.receiver.receive({ batch: (xs) => seen.push(xs), close: () => seen.push('closed'), error: () => {} });
    expect(seen).toEqual([['a'], ['b'], 'closed']);
    expect(credited).toBe(true);
    expect(c.sender.credit).toBe(2);
  });

  it('refuses a bad capacity and a second receiver', () => {
    expect(() => new InProcessChannel({ capacity: 0 })).toThrow(InvalidArgumentError);
    const c = new InProcessChannel();
    c.receiver.receive({ batch: () => {}, close: () => {}, error: () => {} });
    expect(() => c.receiver.receive({ batch: () => {}, close: () => {}, error: () => {} })).toThrow(TidemarkError);
  });
});

describe('parallel over another channel kind', () => {
  it('runs the same stage over asynchronous channels: only the timing changes', marbles((m) => {
    const channels: DelayedChannel<unknown>[] = [];
    const input = m.cold('a-b-W-|', { a: rec(1, 1, 'x'), b: rec(2, 2, 'y'), W: wm(5) });
    const out = input.pipe(
      keyBy((v) => (v === 1 ? 'x' : 'y')),
      parallel(2, (s) => s, {
        channels: () => {
          const c = new DelayedChannel<unknown>(m.scheduler);
          channels.push(c);
          return c;
        },
      }),
    );
    // every element arrives one frame later
    m.expect(out).toBeObservable('-a-b-W-(M|)', { a: rec(1, 1, 'x'), b: rec(2, 2, 'y'), W: wm(5), M: maxWm() });
    m.flush();
    expect(channels).toHaveLength(2);
    // each channel carried its records plus the broadcast watermark
    expect(channels.map((c) => c.batches).reduce((a, b) => a + b)).toBe(2 + 2);
  }));
});
