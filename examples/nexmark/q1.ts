/**
 * Nexmark q1, currency conversion: every bid with its price in euros (× 0.908). A stateless map.
 *
 * Flink SQL: `SELECT auction, bidder, 0.908 * price as price, dateTime, extra FROM bid`.
 */
import type { OperatorFunction } from 'rxjs';
import { filter, map, type StreamElement } from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';

/** A bid with its price converted. */
export interface EuroBid {
  auction: number;
  bidder: number;
  /** Euros (cents × 0.908). */
  price: number;
  dateTime: number;
  extra: string;
}

/** Bids with prices converted from dollars to euros. */
export function q1(): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<EuroBid>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      map((b): EuroBid => ({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: b.dateTime, extra: b.extra })),
    );
}
