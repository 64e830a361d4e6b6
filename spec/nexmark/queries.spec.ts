/**
 * Every Nexmark query (examples/nexmark) against its hand-written reference on the same 100k events
 * (10 s of event time at 10 000 events/s): the outputs must be equal as multisets (the order of rows
 * that fire together is not defined). q4's running averages depend on the order in which auctions that
 * close at the same ms are reported, so for q4 the final average per category and the multiset of
 * (category, count) rows are compared.
 */
import type { CategoryAverage } from '../../examples/nexmark/q4';
import { QUERIES, runQuery, type NexmarkQuery } from '../../examples/nexmark/queries';
import type { WinningBid } from '../../examples/nexmark/q9';
import { NexmarkGenerator, type NexmarkEvent } from '../../lib/testing/index';

const EVENTS = 100_000;
const generator = new NexmarkGenerator();
const events: NexmarkEvent[] = generator.events(EVENTS);

const canonical = (name: string, row: unknown): string => {
  if (name === 'q9') {
    const w = row as WinningBid;
    return `${w.auction.id} ${w.bid.bidder} ${w.bid.price} ${w.bid.dateTime}`;
  }
  if (name === 'q4') {
    const c = row as CategoryAverage;
    return `${c.category} ${c.auctions}`;
  }
  if (name === 'q0' || name === 'q1') {
    const b = row as { auction: number; bidder: number; price: number; dateTime: number; extra: string };
    return `${b.auction} ${b.bidder} ${b.price} ${b.dateTime} ${b.extra}`;
  }
  return JSON.stringify(row);
};

function outputs(q: NexmarkQuery): { tidemark: unknown[]; reference: unknown[] } {
  const tidemark: unknown[] = [];
  const reference: unknown[] = [];
  runQuery(q, events, generator, (r) => tidemark.push(r));
  q.reference(events, (r) => reference.push(r));
  return { tidemark, reference };
}

/** The rows of `a` missing in `b` and those of `b` missing in `a`, as multisets (at most 5 of each). */
function multisetDiff(name: string, a: unknown[], b: unknown[]): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const r of a) {
    const k = canonical(name, r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const extra: string[] = [];
  for (const r of b) {
    const k = canonical(name, r);
    const c = counts.get(k) ?? 0;
    if (c === 0) extra.push(k);
    else counts.set(k, c - 1);
  }
  const missing = [...counts].filter(([, c]) => c > 0).map(([k]) => k);
  return { missing: missing.slice(0, 5), extra: extra.slice(0, 5) };
}

/** q4: the last (largest-count) average of each category. */
function finalAverages(rows: unknown[]): string[] {
  const last = new Map<number, CategoryAverage>();
  for (const r of rows as CategoryAverage[]) if ((last.get(r.category)?.auctions ?? 0) < r.auctions) last.set(r.category, r);
  return [...last.values()].map((r) => `${r.category} ${r.auctions} ${r.average}`).sort();
}

describe('Nexmark queries on 100k events equal their references', () => {
  for (const q of QUERIES) {
    it(`${q.name} (${q.title})`, () => {
      const { tidemark, reference } = outputs(q);
      expect(reference.length).toBeGreaterThan(0);
      expect(tidemark.length).toBe(reference.length);
      // rows only the reference has (missing) and rows only tidemark has (extra)
      expect(multisetDiff(q.name, reference, tidemark)).toEqual({ missing: [], extra: [] });
      if (q.name === 'q4') expect(finalAverages(tidemark)).toEqual(finalAverages(reference));
    });
  }
});
