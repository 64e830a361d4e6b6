/**
 * Nexmark q8, monitor new users: the people who registered and opened an auction in the same tumbling
 * 10 s window.
 *
 * Flink SQL: persons grouped by `(id, name, TUMBLE(dateTime, 10 s))` joined with auctions grouped by
 * `(seller, TUMBLE(dateTime, 10 s))` on `id = seller` and the same window; one row per person and window.
 *
 * tidemark: a `coGroup` of persons and auctions in tumbling windows, emitting each person of a window
 * whose auction side is not empty (a window join would give one row per auction instead).
 */
import { share, type OperatorFunction } from 'rxjs';
import { coGroup, filter, TumblingEventTimeWindows, type Collector, type StreamElement, type TimeWindow } from '../../lib/index';
import type { Auction, NexmarkEvent, Person } from '../../lib/testing/index';

/** A person who opened an auction in the window where they registered. */
export interface NewSeller {
  id: number;
  name: string;
  /** The window's start, ms. */
  windowStart: number;
}

/** New users who opened an auction within their first window (default 10 s tumbling). */
export function q8(size = 10_000): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<NewSeller>> {
  return (events) => {
    // bids (92 % of the events) leave before the branch point, so each branch filters only the rest
    const shared = events.pipe(filter((e: NexmarkEvent) => e.type !== 'bid'), share());
    const persons = shared.pipe(filter((e: NexmarkEvent) => e.type === 'person'));
    const auctions = shared.pipe(filter((e: NexmarkEvent) => e.type === 'auction'));
    return persons.pipe(
      coGroup(auctions, {
        where: (p: Person) => p.id,
        equalTo: (a: Auction) => a.seller,
        window: TumblingEventTimeWindows.of(size),
        apply: (ps: Person[], as: Auction[], out: Collector<NewSeller>, _key, w: TimeWindow) => {
          if (as.length > 0) for (const p of ps) out.collect({ id: p.id, name: p.name, windowStart: w.start });
        },
      }),
    );
  };
}
