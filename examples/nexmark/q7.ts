/**
 * Nexmark q7, highest bid: the bids with the highest price in each tumbling 10 s window.
 *
 * Flink SQL: `MAX(price)` per `TUMBLE(bid, 10 s)`, joined back with the bids on the price within the
 * window. Beam: the max as a side input, then a filter.
 *
 * tidemark: one non-keyed tumbling window (`windowAll`) whose incremental aggregate keeps the highest
 * price and the bids at it, so the window holds a handful of bids instead of all of them; no join needed.
 */
import type { OperatorFunction } from 'rxjs';
import { filter, flatMap, TumblingEventTimeWindows, windowAll, type StreamElement } from '../../lib/index';
import type { Bid, NexmarkEvent } from '../../lib/testing/index';
import { topWithTies } from './q5';

/** The highest bids of every `size` ms window (default 10 s). */
export function q7(size = 10_000): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<Bid>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      windowAll(TumblingEventTimeWindows.of(size), { aggregate: topWithTies((b: Bid) => b.price), uid: 'q7-highest' }),
      flatMap((highest) => highest),
    );
}
