/**
 * Nexmark q11, user sessions: how many bids each bidder made per session, a session ending after 10 s
 * without a bid.
 *
 * Flink SQL: `SELECT bidder, count(*), SESSION_START(dateTime, INTERVAL '10' SECOND), SESSION_END(...)
 * FROM bid GROUP BY bidder, SESSION(dateTime, INTERVAL '10' SECOND)`.
 *
 * tidemark: keyed session windows with an incremental count (merged when sessions merge).
 */
import type { OperatorFunction } from 'rxjs';
import {
  filter,
  keyBy,
  sessionEventWindow,
  windowCount,
  type Collector,
  type Key,
  type ProcessWindowContext,
  type StreamElement,
  type TimeWindow,
} from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';

/** One bidder's session. */
export interface BidderSession {
  bidder: number;
  bids: number;
  /** The first bid's time. */
  start: number;
  /** The last bid's time + the gap. */
  end: number;
}

/** Bids per bidder per session (gap default 10 s). */
export function q11(gap = 10_000): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<BidderSession>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      keyBy((b) => b.bidder),
      sessionEventWindow(gap, {
        aggregate: windowCount(),
        process: (bidder: Key, ctx: ProcessWindowContext<TimeWindow>, [bids]: number[], out: Collector<BidderSession>) =>
          out.collect({ bidder: bidder as number, bids: bids!, start: ctx.window.start, end: ctx.window.end }),
      }),
    );
}
