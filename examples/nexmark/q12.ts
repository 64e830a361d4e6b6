/**
 * Nexmark q12, processing-time windows: bids per bidder per tumbling 10 s window of processing time.
 *
 * Flink SQL: `SELECT bidder, count(*), window_start, window_end FROM TABLE(TUMBLE(TABLE (SELECT *,
 * PROCTIME() as p_time FROM bid), DESCRIPTOR(p_time), INTERVAL '10' SECOND)) GROUP BY bidder, ...`.
 *
 * tidemark: keyed tumbling processing-time windows. Processing time is the job's scheduler: run the
 * source rate-limited on a `VirtualTimeScheduler` (or `TestScheduler`) and the windows fire in virtual
 * time, deterministically. As in Flink, the windows still open when the input ends are dropped.
 */
import type { OperatorFunction } from 'rxjs';
import {
  filter,
  keyBy,
  tumblingProcessingWindow,
  windowCount,
  type Collector,
  type Key,
  type ProcessWindowContext,
  type StreamElement,
  type TimeWindow,
} from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';

/** One bidder's bids in one processing-time window. */
export interface BidderCount {
  bidder: number;
  bids: number;
  /** The window's start on the scheduler's clock, ms. */
  windowStart: number;
}

/** Bids per bidder per processing-time window (default 10 s). */
export function q12(size = 10_000): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<BidderCount>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      keyBy((b) => b.bidder),
      tumblingProcessingWindow(size, {
        aggregate: windowCount(),
        process: (bidder: Key, ctx: ProcessWindowContext<TimeWindow>, [bids]: number[], out: Collector<BidderCount>) =>
          out.collect({ bidder: bidder as number, bids: bids!, windowStart: ctx.window.start }),
      }),
    );
}
