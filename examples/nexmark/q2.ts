/**
 * Nexmark q2, selection: `(auction, price)` of the bids on every 123rd auction. A stateless filter.
 *
 * Flink SQL: `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`.
 */
import type { OperatorFunction } from 'rxjs';
import { filter, map, type StreamElement } from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';

/** An auction and a price bid on it. */
export interface AuctionPrice {
  auction: number;
  price: number;
}

/** The bids on auctions whose id is a multiple of `skip` (default 123), as `(auction, price)`. */
export function q2(skip = 123): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<AuctionPrice>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      filter((b) => b.auction % skip === 0),
      map((b): AuctionPrice => ({ auction: b.auction, price: b.price })),
    );
}
