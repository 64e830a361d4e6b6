/**
 * Property tests of the Nexmark generator (lib/testing/nexmark), the checks listed in the generator
 * section of docs/nexmark.md: the exact 1/3/46 mix per aligned block of 50 ids, increasing person and
 * auction ids, auctions expiring after they open, the hot-auction and hot-bidder shares, the price range,
 * ordered timestamps in order mode (any rate shape), exact watermarks with out-of-order groups, and
 * determinism per seed and event number.
 */
import fc from 'fast-check';
import { Auction, Bid, InvalidArgumentError, NexmarkGenerator, Person, type NexmarkEvent } from './imports';

const pos = fc.integer({ min: 0, max: 10_000_000 });
const shape = fc.record({
  firstEventRate: fc.integer({ min: 1, max: 1_000_000 }),
  nextEventRate: fc.integer({ min: 1, max: 1_000_000 }),
  rateShape: fc.constantFrom('square' as const, 'sine' as const),
  ratePeriodSec: fc.integer({ min: 1, max: 1000 }),
  numEventGenerators: fc.integer({ min: 1, max: 8 }),
  baseTime: fc.integer({ min: -1e12, max: 1e12 }),
});

describe('NexmarkGenerator', () => {
  it('has exactly 1 person, 3 auctions and 46 bids in every aligned block of 50 ids, in that order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e6 }), (firstEventId, block) => {
        const g = new NexmarkGenerator({ firstEventId });
        const first = block * 50 - (firstEventId % 50) + (firstEventId % 50 === 0 ? 0 : 50); // position of an id ≡ 0 (mod 50)
        const types = g.events(50, first).map((e) => e.type);
        expect(types[0]).toBe('person');
        expect(types.slice(1, 4)).toEqual(['auction', 'auction', 'auction']);
        expect(types.slice(4).every((t) => t === 'bid')).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('numbers persons and auctions from 1000, strictly increasing by type', () => {
    fc.assert(
      fc.property(pos, (from) => {
        const events = new NexmarkGenerator().events(400, from);
        const persons = events.filter((e): e is Person => e.type === 'person').map((p) => p.id);
        const auctions = events.filter((e): e is Auction => e.type === 'auction').map((a) => a.id);
        for (let i = 1; i < persons.length; i++) expect(persons[i]).toBe(persons[i - 1]! + 1);
        for (let i = 1; i < auctions.length; i++) expect(auctions[i]).toBe(auctions[i - 1]! + 1);
        expect(persons[0]).toBe(1000 + Math.ceil(from / 50));
      }),
      { numRuns: 30 },
    );
    expect(new NexmarkGenerator().event(0)).toMatchObject({ type: 'person', id: 1000 });
    expect(new NexmarkGenerator().event(1)).toMatchObject({ type: 'auction', id: 1000 });
  });

  it('lets every auction expire after it opens, prices in [100, 10^8] cents and categories in 10..14', () => {
    fc.assert(
      fc.property(pos, fc.integer({ min: 0, max: 1000 }), (from, seed) => {
        for (const e of new NexmarkGenerator({ seed }).events(200, from)) {
          if (e.type === 'auction') {
            expect(e.expires).toBeGreaterThan(e.dateTime);
            expect(e.initialBid).toBeGreaterThanOrEqual(100);
            expect(e.reserve - e.initialBid).toBeGreaterThanOrEqual(100);
            expect(e.reserve - e.initialBid).toBeLessThanOrEqual(1e8);
            expect(e.category).toBeGreaterThanOrEqual(10);
            expect(e.category).toBeLessThanOrEqual(14);
          } else if (e.type === 'bid') {
            expect(Number.isInteger(e.price)).toBe(true);
            expect(e.price).toBeGreaterThanOrEqual(100);
            expect(e.price).toBeLessThanOrEqual(1e8);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('sends about half of the bids to the hot auction and three quarters from the hot bidder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e5 }), (seed, block) => {
        const bids = new NexmarkGenerator({ seed }).events(20_000, block * 50).filter((e): e is Bid => e.type === 'bid');
        // hot ids are multiples of 100 (+1 for bidders) above the first id; a random pick hits one ~1% of the time
        const hotAuction = bids.filter((b) => (b.auction - 1000) % 100 === 0).length / bids.length;
        const hotBidder = bids.filter((b) => (b.bidder - 1000) % 100 === 1).length / bids.length;
        expect(hotAuction).toBeGreaterThan(0.48);
        expect(hotAuction).toBeLessThan(0.53);
        expect(hotBidder).toBeGreaterThan(0.73);
        expect(hotBidder).toBeLessThan(0.78);
      }),
      { numRuns: 5 },
    );
  });

  it('log-uniform prices: the median is about $1000', () => {
    const prices = new NexmarkGenerator().events(20_000).flatMap((e) => (e.type === 'bid' ? [e.price] : [])).sort((a, b) => a - b);
    const median = prices[prices.length >> 1]!;
    expect(median).toBeGreaterThan(80_000);
    expect(median).toBeLessThan(125_000);
  });

  it('pads events to their average sizes', () => {
    const events = new NexmarkGenerator().events(20_000);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bids = events.filter((e): e is Bid => e.type === 'bid');
    expect(mean(bids.map((b) => 32 + b.extra.length))).toBeCloseTo(100, -1);
    const auctions = events.filter((e): e is Auction => e.type === 'auction');
    expect(mean(auctions.map((a) => 48 + a.itemName.length + a.description.length + a.extra.length))).toBeGreaterThan(450);
  });

  it('gives non-decreasing timestamps in order mode, for any rate shape', () => {
    fc.assert(
      fc.property(shape, pos, (config, from) => {
        const g = new NexmarkGenerator(config);
        const ts = g.events(300, from).map((e) => e.dateTime);
        for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
        expect(g.timestamp(0)).toBe(config.baseTime);
      }),
      { numRuns: 50 },
    );
  });

  it('spaces events by 1/rate of event time: 10 000 events are one second at the default rate', () => {
    const g = new NexmarkGenerator();
    expect(g.event(10_000).dateTime - g.event(0).dateTime).toBe(1000);
    const square = new NexmarkGenerator({ firstEventRate: 1000, nextEventRate: 100, ratePeriodSec: 20 });
    expect(square.timestamp(10_000)).toBe(10_000); // 10 s at 1000/s
    expect(square.timestamp(11_000)).toBe(20_000); // then 10 s at 100/s
    expect(square.timestamp(22_000)).toBe(40_000); // and the cycle repeats
  });

  it('with out-of-order groups, permutes each group and never emits an event before the watermark', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), pos, (g, from) => {
        const gen = new NexmarkGenerator({ outOfOrderGroupSize: g, firstEventRate: 1000 });
        const start = Math.floor(from / g) * g;
        const numbers = Array.from({ length: g }, (_, i) => gen.eventNumber(start + i)).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: g }, (_, i) => start + i));
        const events = gen.events(3 * g, from);
        for (let i = 0; i < g; i++) {
          const w = gen.watermark(from + i);
          const earliest = Math.min(...events.slice(i).map((e) => e.dateTime));
          expect(earliest).toBeGreaterThanOrEqual(w);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('generates the same event for the same seed and position, whatever came before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), pos, pos, (seed, n, other) => {
        const a = new NexmarkGenerator({ seed });
        const b = new NexmarkGenerator({ seed });
        b.event(other);
        const x: NexmarkEvent = a.event(n);
        expect(b.event(n)).toEqual(x);
        expect(a.event(n)).toEqual(x);
      }),
      { numRuns: 50 },
    );
    const [x, y] = [new NexmarkGenerator({ seed: 1 }).events(50, 100), new NexmarkGenerator({ seed: 2 }).events(50, 100)];
    expect(x).not.toEqual(y);
  });

  it('refuses bad options with an InvalidArgumentError naming the option', () => {
    expect(() => new NexmarkGenerator({ firstEventRate: 0 })).toThrow(InvalidArgumentError);
    expect(() => new NexmarkGenerator({ firstEventRate: 0 })).toThrow(/firstEventRate/);
    expect(() => new NexmarkGenerator({ outOfOrderGroupSize: 1.5 })).toThrow(/outOfOrderGroupSize/);
    expect(() => new NexmarkGenerator({ rateShape: 'triangle' as 'sine' })).toThrow(/rateShape/);
    expect(() => new NexmarkGenerator({ firstEventId: -1 })).toThrow(/firstEventId/);
  });
});
