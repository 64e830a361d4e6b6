/**
 * Nexmark q9, winning bids: for every auction, the highest bid placed while it was open (between its
 * `dateTime` and its `expires`, both included; ties go to the earlier bid), reported when it closes. The
 * shared core of q4 and q6.
 *
 * Flink SQL: `ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC)` over
 * `auction A, bid B WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires`, rank 1.
 *
 * tidemark: auctions keyed by id connected with bids keyed by auction, in a `coProcess` with keyed state
 * and an event-time timer at each auction's `expires`. Bids that arrive before their auction wait in list
 * state until the watermark passes their time (after that no auction they could belong to can come);
 * everything of an auction is cleared when it closes, so state follows the open auctions.
 */
import { share, type OperatorFunction } from 'rxjs';
import {
  coProcess,
  connect,
  filter,
  keyBy,
  ListStateDescriptor,
  ValueStateDescriptor,
  type CoProcessFunction,
  type ListState,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import type { Auction, Bid, NexmarkEvent } from '../../lib/testing/index';

/** An auction and its winning bid. */
export interface WinningBid {
  auction: Auction;
  bid: Bid;
}

/** Whether bid `b` beats `best` for an auction: a higher price, or the same price earlier. */
export function beats(b: Bid, best: Bid | undefined): boolean {
  return best === undefined || b.price > best.price || (b.price === best.price && b.dateTime < best.dateTime);
}

/** The winning bid of every auction that had a bid while open, when the auction closes. */
export function q9(): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<WinningBid>> {
  return (events) => {
    const shared = events.pipe(share());
    const auctions = shared.pipe(
      filter((e: NexmarkEvent) => e.type === 'auction'),
      keyBy((a) => a.id),
    );
    const bids = shared.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      keyBy((b) => b.auction),
    );
    let auction!: ValueState<Auction>;
    let best!: ValueState<Bid>;
    let early!: ListState<Bid>;
    const consider = (a: Auction, b: Bid): void => {
      if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && beats(b, best.value())) best.update(b);
    };
    const winner: CoProcessFunction<Auction, Bid, WinningBid> = {
      open(ctx) {
        auction = ctx.getState(new ValueStateDescriptor<Auction>('auction'));
        best = ctx.getState(new ValueStateDescriptor<Bid>('best'));
        early = ctx.getListState(new ListStateDescriptor<Bid>('bids-before-their-auction'));
      },
      processElement1(a, ctx) {
        auction.update(a);
        for (const b of early.get()) consider(a, b);
        early.clear();
        ctx.timerService().registerEventTimeTimer(a.expires);
      },
      processElement2(b, ctx) {
        const a = auction.value();
        if (a !== undefined) consider(a, b);
        else if (b.dateTime > ctx.timerService().currentWatermark()) {
          // its auction may still come (or it bids on one already closed): keep it until the watermark passes it
          early.add(b);
          ctx.timerService().registerEventTimeTimer(b.dateTime);
        }
      },
      onTimer(time, _ctx, out) {
        const a = auction.value();
        if (a !== undefined) {
          if (time < a.expires) return;
          const b = best.value();
          if (b !== undefined) out.collect({ auction: a, bid: b });
          auction.clear();
          best.clear();
        } else {
          const keep = early.get().filter((b) => b.dateTime > time);
          if (keep.length === 0) early.clear();
          else early.update(keep);
        }
      },
    };
    return auctions.pipe(connect(bids), coProcess(winner));
  };
}
