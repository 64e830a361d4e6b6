/**
 * Nexmark q4, average price per category: the running average of the winning bids (q9) of the closed
 * auctions of each category, updated with every auction that closes.
 *
 * Flink SQL: `SELECT Q.category, AVG(Q.final) FROM (SELECT MAX(B.price) AS final, A.category FROM auction
 * A, bid B WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id,
 * A.category) Q GROUP BY Q.category`.
 *
 * tidemark: q9's winning bids, then a keyed rolling `reduce` of (sum, count) per category.
 */
import type { OperatorFunction } from 'rxjs';
import { keyBy, map, reduce, type StreamElement } from '../../lib/index';
import type { NexmarkEvent } from '../../lib/testing/index';
import { q9 } from './q9';

/** The average winning price of a category so far. */
export interface CategoryAverage {
  category: number;
  /** Cents. */
  average: number;
  /** Closed auctions with a winning bid so far. */
  auctions: number;
}

interface Sum {
  category: number;
  sum: number;
  count: number;
}

/** Every time an auction closes with a winner, its category's average winning price. */
export function q4(): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<CategoryAverage>> {
  return (events) =>
    events.pipe(
      q9(),
      map((w): Sum => ({ category: w.auction.category, sum: w.bid.price, count: 1 })),
      keyBy((s) => s.category),
      reduce((a, b) => ({ category: a.category, sum: a.sum + b.sum, count: a.count + b.count })),
      map((s): CategoryAverage => ({ category: s.category, average: s.sum / s.count, auctions: s.count })),
    );
}
