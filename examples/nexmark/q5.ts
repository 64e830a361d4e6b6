/**
 * Nexmark q5, hot items: in every sliding window of 10 s (every 2 s), the auctions with the most bids.
 *
 * Flink SQL: a count per auction over `HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND,
 * INTERVAL '10' SECOND)`, joined with the max count per window on `num >= maxn` (so ties are all kept).
 *
 * tidemark: a keyed sliding window counts each auction's bids (one counter per auction and window, no
 * elements kept); its results carry the timestamp `end - 1`, so a tumbling `windowAll` of the slide
 * gathers every count of one window and keeps the largest ones.
 */
import type { OperatorFunction } from 'rxjs';
import {
  filter,
  flatMap,
  keyBy,
  slidingEventWindow,
  TumblingEventTimeWindows,
  windowAll,
  windowCount,
  type AggregateFunction,
  type Collector,
  type Key,
  type ProcessWindowContext,
  type StreamElement,
  type TimeWindow,
} from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';

/** An auction's bids in one window. */
export interface AuctionCount {
  auction: number;
  count: number;
  /** The window's end (exclusive), ms. */
  windowEnd: number;
}

/** The items with the largest value of a field, ties kept (an incremental window aggregate). */
export function topWithTies<T>(value: (x: T) => number): AggregateFunction<T, { best: number; items: T[] }, T[]> {
  return {
    createAccumulator: () => ({ best: Number.NEGATIVE_INFINITY, items: [] }),
    add(x, acc) {
      const v = value(x);
      if (v > acc.best) {
        acc.best = v;
        acc.items = [x];
      } else if (v === acc.best) acc.items.push(x);
      return acc;
    },
    getResult: (acc) => acc.items,
    merge(a, b) {
      if (a.best === b.best) return { best: a.best, items: [...a.items, ...b.items] };
      return a.best > b.best ? a : b;
    },
  };
}

/** The hottest auctions of every 10 s window, every 2 s (sizes in ms may be changed). */
export function q5(size = 10_000, slide = 2_000): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<AuctionCount>> {
  return (events) =>
    events.pipe(
      filter((e: NexmarkEvent) => e.type === 'bid'),
      keyBy((b) => b.auction),
      slidingEventWindow(size, slide, {
        uid: 'q5-counts',
        aggregate: windowCount(),
        process: (auction: Key, ctx: ProcessWindowContext<TimeWindow>, [count]: number[], out: Collector<AuctionCount>) =>
          out.collect({ auction: auction as number, count: count!, windowEnd: ctx.window.end }),
      }),
      windowAll(TumblingEventTimeWindows.of(slide), { aggregate: topWithTies((c: AuctionCount) => c.count), uid: 'q5-hottest' }),
      flatMap((hottest) => hottest),
    );
}
