/**
 * Nexmark q0, pass-through: every bid, unchanged. Measures what the source, one filter and the sink cost.
 *
 * Flink SQL: `SELECT auction, bidder, price, dateTime, extra FROM bid`.
 */
import type { OperatorFunction } from 'rxjs';
import { filter, type StreamElement } from '../../lib/index';
import type { Bid, NexmarkEvent } from '../../lib/testing/index';

/** Keeps the bids (the events of type `'bid'`). */
export function q0(): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<Bid>> {
  return filter((e: NexmarkEvent) => e.type === 'bid');
}
