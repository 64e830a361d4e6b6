/**
 * Hand-written plain TypeScript versions of the Nexmark queries: one pass over the events with Maps and
 * arrays, state dropped as event time passes, no tidemark. They are the tests' oracle and the benchmark's
 * baseline ("how fast could a hand-written loop do the same work").
 *
 * They assume the events come in generator order with out-of-order group size 1, so the watermark
 * before event `i` is `events[i].dateTime - 1` (what `nexmarkSource` emits, at a finer grain).
 */
import type { Auction, Bid, NexmarkEvent, Person } from '../../lib/testing/index';
import type { EuroBid } from './q1';
import type { AuctionPrice } from './q2';
import type { LocalItem } from './q3';
import type { CategoryAverage } from './q4';
import type { AuctionCount } from './q5';
import type { NewSeller } from './q8';
import type { WinningBid } from './q9';
import { beats } from './q9';
import type { BidderSession } from './q11';
import type { BidderCount } from './q12';

/** A reference query: reads every event, hands each output row to `emit`. */
export type Reference<O> = (events: readonly NexmarkEvent[], emit: (row: O) => void) => void;

export const q0Reference: Reference<Bid> = (events, emit) => {
  for (const e of events) if (e.type === 'bid') emit(e);
};

export const q1Reference: Reference<EuroBid> = (events, emit) => {
  for (const e of events) {
    if (e.type === 'bid') emit({ auction: e.auction, bidder: e.bidder, price: 0.908 * e.price, dateTime: e.dateTime, extra: e.extra });
  }
};

export const q2Reference: Reference<AuctionPrice> = (events, emit) => {
  for (const e of events) if (e.type === 'bid' && e.auction % 123 === 0) emit({ auction: e.auction, price: e.price });
};

export const q3Reference: Reference<LocalItem> = (events, emit) => {
  const persons = new Map<number, Person>();
  const waiting = new Map<number, Auction[]>();
  for (const e of events) {
    if (e.type === 'person') {
      if (e.state !== 'OR' && e.state !== 'ID' && e.state !== 'CA') continue;
      persons.set(e.id, e);
      const early = waiting.get(e.id);
      if (early !== undefined) {
        for (const a of early) emit({ name: e.name, city: e.city, state: e.state, auction: a.id });
        waiting.delete(e.id);
      }
    } else if (e.type === 'auction' && e.category === 10) {
      const p = persons.get(e.seller);
      if (p !== undefined) emit({ name: p.name, city: p.city, state: p.state, auction: e.id });
      else {
        const list = waiting.get(e.seller);
        if (list === undefined) waiting.set(e.seller, [e]);
        else list.push(e);
      }
    }
  }
};

/** Buckets of values by ms, drained in time order as the watermark advances. */
class TimeBuckets<T> {
  private readonly buckets = new Map<number, T[]>();
  private drained = Number.NEGATIVE_INFINITY;
  add(time: number, value: T): void {
    const b = this.buckets.get(time);
    if (b === undefined) this.buckets.set(time, [value]);
    else b.push(value);
  }
  /** Hands every value with a time up to `watermark` to `fn`, in time order. */
  drain(watermark: number, fn: (value: T, time: number) => void): void {
    if (this.buckets.size === 0) {
      this.drained = Math.max(this.drained, watermark);
      return;
    }
    let t = this.drained === Number.NEGATIVE_INFINITY ? Math.min(...this.buckets.keys()) : this.drained + 1;
    for (; t <= watermark && this.buckets.size > 0; t++) {
      const b = this.buckets.get(t);
      if (b === undefined) continue;
      this.buckets.delete(t);
      for (const v of b) fn(v, t);
    }
    this.drained = Math.max(this.drained, watermark);
  }
}

export const q9Reference: Reference<WinningBid> = (events, emit) => {
  const open = new Map<number, { auction: Auction; best: Bid | undefined }>();
  const early = new Map<number, Bid[]>();
  const closing = new TimeBuckets<number>();
  let maxAuction = -1;
  const close = (id: number): void => {
    const o = open.get(id)!;
    open.delete(id);
    if (o.best !== undefined) emit({ auction: o.auction, bid: o.best });
  };
  const consider = (o: { auction: Auction; best: Bid | undefined }, b: Bid): void => {
    if (b.dateTime >= o.auction.dateTime && b.dateTime <= o.auction.expires && beats(b, o.best)) o.best = b;
  };
  for (const e of events) {
    closing.drain(e.dateTime - 1, close);
    if (e.type === 'auction') {
      const o = { auction: e, best: undefined as Bid | undefined };
      open.set(e.id, o);
      maxAuction = e.id;
      const before = early.get(e.id);
      if (before !== undefined) {
        for (const b of before) consider(o, b);
        early.delete(e.id);
      }
      closing.add(e.expires, e.id);
    } else if (e.type === 'bid') {
      const o = open.get(e.auction);
      if (o !== undefined) consider(o, e);
      else if (e.auction > maxAuction) {
        // auction ids increase: only an auction not created yet can still come
        const list = early.get(e.auction);
        if (list === undefined) early.set(e.auction, [e]);
        else list.push(e);
      }
    }
  }
  closing.drain(Number.MAX_SAFE_INTEGER, close);
};

export const q4Reference: Reference<CategoryAverage> = (events, emit) => {
  const sums = new Map<number, { sum: number; count: number }>();
  q9Reference(events, (w) => {
    const c = w.auction.category;
    let s = sums.get(c);
    if (s === undefined) sums.set(c, (s = { sum: 0, count: 0 }));
    s.sum += w.bid.price;
    s.count++;
    emit({ category: c, average: s.sum / s.count, auctions: s.count });
  });
};

/** q5 with its window size and slide. */
export function q5Reference(size = 10_000, slide = 2_000): Reference<AuctionCount> {
  return (events, emit) => {
    const windows = new Map<number, Map<number, number>>(); // window end → auction → count
    const ends = new TimeBuckets<number>(); // fire when the watermark reaches end - 1
    const fire = (end: number): void => {
      const counts = windows.get(end)!;
      windows.delete(end);
      let best = 0;
      for (const c of counts.values()) if (c > best) best = c;
      for (const [auction, count] of counts) if (count === best) emit({ auction, count, windowEnd: end });
    };
    for (const e of events) {
      ends.drain(e.dateTime - 1, fire);
      if (e.type !== 'bid') continue;
      const lastStart = e.dateTime - (((e.dateTime % slide) + slide) % slide);
      for (let start = lastStart; start > e.dateTime - size; start -= slide) {
        const end = start + size;
        let counts = windows.get(end);
        if (counts === undefined) {
          windows.set(end, (counts = new Map()));
          ends.add(end - 1, end);
        }
        counts.set(e.auction, (counts.get(e.auction) ?? 0) + 1);
      }
    }
    ends.drain(Number.MAX_SAFE_INTEGER, fire);
  };
}

/** q7 with its window size. */
export function q7Reference(size = 10_000): Reference<Bid> {
  return (events, emit) => {
    let end = Number.NEGATIVE_INFINITY;
    let best = Number.NEGATIVE_INFINITY;
    let top: Bid[] = [];
    for (const e of events) {
      if (e.type !== 'bid') continue;
      if (e.dateTime >= end) {
        for (const b of top) emit(b);
        end = e.dateTime - (e.dateTime % size) + size;
        best = Number.NEGATIVE_INFINITY;
        top = [];
      }
      if (e.price > best) {
        best = e.price;
        top = [e];
      } else if (e.price === best) top.push(e);
    }
    for (const b of top) emit(b);
  };
}

/** q8 with its window size. */
export function q8Reference(size = 10_000): Reference<NewSeller> {
  return (events, emit) => {
    let start = Number.NEGATIVE_INFINITY;
    let persons: Person[] = [];
    let sellers = new Set<number>();
    const fire = (): void => {
      for (const p of persons) if (sellers.has(p.id)) emit({ id: p.id, name: p.name, windowStart: start });
    };
    for (const e of events) {
      if (e.type === 'bid') continue;
      if (e.dateTime >= start + size) {
        fire();
        start = e.dateTime - (e.dateTime % size);
        persons = [];
        sellers = new Set();
      }
      if (e.type === 'person') persons.push(e);
      else sellers.add(e.seller);
    }
    fire();
  };
}

/** q11 with its session gap. */
export function q11Reference(gap = 10_000): Reference<BidderSession> {
  return (events, emit) => {
    const sessions = new Map<number, { start: number; last: number; bids: number }>();
    const ends = new TimeBuckets<number>(); // bidder, at the session's end - 1 when it was last extended
    const fire = (bidder: number, time: number): void => {
      const s = sessions.get(bidder);
      if (s === undefined || s.last + gap - 1 !== time) return; // extended since: a later entry fires it
      sessions.delete(bidder);
      emit({ bidder, bids: s.bids, start: s.start, end: s.last + gap });
    };
    for (const e of events) {
      ends.drain(e.dateTime - 1, fire);
      if (e.type !== 'bid') continue;
      const s = sessions.get(e.bidder);
      if (s === undefined) sessions.set(e.bidder, { start: e.dateTime, last: e.dateTime, bids: 1 });
      else {
        s.last = e.dateTime;
        s.bids++;
      }
      ends.add(e.dateTime + gap - 1, e.bidder);
    }
    ends.drain(Number.MAX_SAFE_INTEGER, fire);
  };
}

/**
 * q12 with its window size, for a source rate-limited with poll interval `poll` on a virtual clock that
 * starts at 0: an event due at `dateTime - baseTime` is processed at the next multiple of `poll`, and the
 * windows still open when the last poll ends the input are dropped.
 */
export function q12Reference(size = 10_000, poll = 100, baseTime = 0): Reference<BidderCount> {
  return (events, emit) => {
    const windows = new Map<number, Map<number, number>>(); // window start → bidder → count
    let last = 0;
    for (const e of events) {
      last = Math.ceil((e.dateTime - baseTime) / poll) * poll;
      if (e.type !== 'bid') continue;
      const start = last - (last % size);
      let counts = windows.get(start);
      if (counts === undefined) windows.set(start, (counts = new Map()));
      counts.set(e.bidder, (counts.get(e.bidder) ?? 0) + 1);
    }
    for (const [start, counts] of windows) {
      if (start + size > last) continue;
      for (const [bidder, bids] of counts) emit({ bidder, bids, windowStart: start });
    }
  };
}
