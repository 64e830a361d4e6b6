/**
 * The Nexmark event generator, re-implemented from the description of Beam's and Flink's generators
 * (docs/nexmark.md): deterministic per event, so any event can be generated on its own.
 * @module
 */
import { InvalidArgumentError, type ErrorOrigin } from '../../core/errors';
import { CounterRandom } from './counter-random';
import { Auction, Bid, Person, type NexmarkEvent } from './model';

/** How the event rate changes between `firstEventRate` and `nextEventRate` (Beam's `RateShape`). */
export type NexmarkRateShape = 'square' | 'sine';

/** Options of {@link NexmarkGenerator}; every field has Beam's / Flink's default. */
export interface NexmarkConfig {
  /** Mixed into every event's random sequence (default 0); the same seed gives the same events. */
  seed?: number;
  /** Event time of event number 0, ms (default 0). */
  baseTime?: number;
  /** Id of event number 0 (default 0); ids decide the event's type and its person and auction ids. */
  firstEventId?: number;
  /** Events per second of event time (default 10 000). */
  firstEventRate?: number;
  /** The other rate of a varying shape (default: `firstEventRate`, i.e. constant). */
  nextEventRate?: number;
  /** `'square'` alternates the two rates, `'sine'` moves between them in 10 steps (default `'square'`). */
  rateShape?: NexmarkRateShape;
  /** Length of one cycle of the rate shape, s (default 600). */
  ratePeriodSec?: number;
  /** Generators sharing the rate; each one's events are this many times sparser in event time (default 1). */
  numEventGenerators?: number;
  /** Persons, auctions and bids per block of ids (default 1, 3, 46). */
  personProportion?: number;
  auctionProportion?: number;
  bidProportion?: number;
  /** Average sizes in bytes the `extra` padding aims at (default 200, 500, 100). */
  avgPersonByteSize?: number;
  avgAuctionByteSize?: number;
  avgBidByteSize?: number;
  /** One bid in `hotAuctionRatio - 1` of `hotAuctionRatio` goes to the hot auction (default 2: half). */
  hotAuctionRatio?: number;
  /** Share `(r - 1) / r` of auctions are sold by the hot seller (default 4: three quarters). */
  hotSellersRatio?: number;
  /** Share `(r - 1) / r` of bids come from the hot bidder (default 4: three quarters). */
  hotBiddersRatio?: number;
  /** Auctions open at a time, which sets how long auctions run (default 100). */
  numInFlightAuctions?: number;
  /** People who sell and bid at a time (default 1000). */
  numActivePeople?: number;
  /** Events are shuffled within groups of this many (default 1: in order). */
  outOfOrderGroupSize?: number;
}

/** A {@link NexmarkConfig} with every default filled in. */
export type ResolvedNexmarkConfig = Required<NexmarkConfig>;

const DEFAULTS: Omit<ResolvedNexmarkConfig, 'nextEventRate'> = {
  seed: 0,
  baseTime: 0,
  firstEventId: 0,
  firstEventRate: 10_000,
  rateShape: 'square',
  ratePeriodSec: 600,
  numEventGenerators: 1,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  outOfOrderGroupSize: 1,
};

/** Ids of persons and auctions start here, so joins find matches even on tiny runs. */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
/** Categories are 10 to 14. */
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
/** Ids the random person / auction may run ahead of the last one created, so some references come first. */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
/** The rounding steps that pick *which* person or auction is hot (the ratios above pick how often). */
const HOT_STEP = 100;
const SINE_STEPS = 10;

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const NAMES = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));

/** Random characters (a space with probability 1/13, else a–z) that strings and padding are cut from. */
const POOL_SIZE = 1 << 20;
let pool: string | undefined;
let digits: string[] | undefined;

function charPool(): string {
  if (pool !== undefined) return pool;
  const rnd = new CounterRandom().reset(0x5eed, 0);
  const parts: string[] = [];
  const codes = new Array<number>(8192);
  for (let done = 0; done < POOL_SIZE; done += codes.length) {
    for (let i = 0; i < codes.length; i++) codes[i] = rnd.nextInt(13) === 0 ? 32 : 97 + rnd.nextInt(26);
    parts.push(String.fromCharCode(...codes));
  }
  return (pool = parts.join(''));
}

function fourDigits(): string[] {
  return (digits ??= Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0')));
}

/**
 * Generates Nexmark events: event number `n` (its position in the stream) always yields the same event,
 * so a source that restarts from a count re-generates exactly what it emitted before.
 *
 * It's like Beam's Nexmark `Generator` / `GeneratorConfig` (and Flink's port of it), but with a
 * counter-based random generator seeded with the event id and the seed instead of `java.util.Random`, so
 * values differ from Beam's while every distribution is the same.
 *
 * - Type by id: in every block of `1 + 3 + 46` ids, the first is a person, the next three auctions, the
 *   rest bids.
 * - Persons and auctions get increasing ids from 1000; auctions are sold by the hot seller (3/4) or an
 *   active person; bids go to the hot auction (1/2) or one of the ~100 auctions in flight, from the hot
 *   bidder (3/4) or an active person. Random choices run up to 10 ids ahead, so some references arrive
 *   before the person or auction they name.
 * - Prices are log-uniform from 100 to 10^8 cents; `extra` pads each event to its average size.
 * - Event time: `baseTime + n × 10^6 / rate` µs (rate per event-time second, stepped for square and sine
 *   shapes). With `outOfOrderGroupSize = g` the numbers are permuted within each group of `g`, and
 *   {@link watermark} gives a lower bound of every later event's time.
 *
 * @example
 * ```ts
 * const gen = new NexmarkGenerator({ firstEventRate: 10_000 });
 * gen.event(0);   // Person { id: 1000, ... dateTime: 0 }
 * gen.event(4);   // the first Bid
 * const events = gen.events(100_000); // 10 s of event time
 * ```
 * @throws InvalidArgumentError when an option is out of range (rates and sizes positive, ratios at least 1, ...).
 * @see nexmarkSource
 */
export class NexmarkGenerator {
  /** The options with defaults filled in. */
  readonly config: Readonly<ResolvedNexmarkConfig>;
  private readonly rnd = new CounterRandom();
  private readonly total: number;
  /** Event-time µs between events in each step of the rate shape (one step when the rate is constant). */
  private readonly delayUs: number[];
  private readonly eventsPerStep: number[];
  private readonly stepMs: number;
  private readonly eventsPerEpoch: number;
  private readonly epochMs: number;
  private readonly eventsForAuctions: number;

  constructor(config: NexmarkConfig = {}) {
    const c: ResolvedNexmarkConfig = { ...DEFAULTS, nextEventRate: config.firstEventRate ?? DEFAULTS.firstEventRate, ...stripUndefined(config) };
    const origin: ErrorOrigin = { operator: 'NexmarkGenerator' };
    const positive = ['firstEventRate', 'nextEventRate', 'ratePeriodSec'] as const;
    for (const k of positive) if (!(Number.isFinite(c[k]) && c[k] > 0)) throw new InvalidArgumentError(origin, k, c[k], 'must be a positive number');
    const counts = ['numEventGenerators', 'personProportion', 'auctionProportion', 'bidProportion', 'hotAuctionRatio', 'hotSellersRatio', 'hotBiddersRatio', 'numInFlightAuctions', 'numActivePeople', 'outOfOrderGroupSize'] as const;
    for (const k of counts) if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new InvalidArgumentError(origin, k, c[k], 'must be an integer of at least 1');
    const sizes = ['avgPersonByteSize', 'avgAuctionByteSize', 'avgBidByteSize'] as const;
    for (const k of sizes) if (!(Number.isInteger(c[k]) && c[k] >= 0)) throw new InvalidArgumentError(origin, k, c[k], 'must be a non-negative integer');
    for (const k of ['seed', 'baseTime', 'firstEventId'] as const) {
      if (!Number.isSafeInteger(c[k])) throw new InvalidArgumentError(origin, k, c[k], 'must be a safe integer');
    }
    if (c.firstEventId < 0) throw new InvalidArgumentError(origin, 'firstEventId', c.firstEventId, 'must not be negative');
    if (c.rateShape !== 'square' && c.rateShape !== 'sine') throw new InvalidArgumentError(origin, 'rateShape', c.rateShape, "must be 'square' or 'sine'");
    this.config = Object.freeze(c);
    this.total = c.personProportion + c.auctionProportion + c.bidProportion;
    this.eventsForAuctions = Math.floor((c.numInFlightAuctions * this.total) / c.auctionProportion);

    let rates: number[];
    if (c.firstEventRate === c.nextEventRate) rates = [c.firstEventRate];
    else if (c.rateShape === 'square') rates = [c.firstEventRate, c.nextEventRate];
    else {
      const mid = (c.firstEventRate + c.nextEventRate) / 2;
      const amp = (c.firstEventRate - c.nextEventRate) / 2;
      rates = Array.from({ length: SINE_STEPS }, (_, i) => mid + amp * Math.cos((2 * Math.PI * i) / SINE_STEPS));
    }
    this.delayUs = rates.map((r) => (1e6 / r) * c.numEventGenerators);
    this.stepMs = Math.ceil(c.ratePeriodSec / rates.length) * 1000;
    this.eventsPerStep = this.delayUs.map((d) => Math.max(1, Math.floor((this.stepMs * 1000) / d)));
    this.eventsPerEpoch = this.eventsPerStep.reduce((a, b) => a + b, 0);
    this.epochMs = this.stepMs * rates.length;
  }

  /** The event number used for the event at position `count` (a permutation within out-of-order groups). */
  eventNumber(count: number): number {
    const g = this.config.outOfOrderGroupSize;
    return g === 1 ? count : Math.floor(count / g) * g + ((count * 953) % g);
  }

  /** Event time (ms) of event number `n`. */
  timestamp(n: number): number {
    const base = this.config.baseTime;
    if (this.delayUs.length === 1) return base + Math.floor((n * this.delayUs[0]!) / 1000);
    const epoch = Math.floor(n / this.eventsPerEpoch);
    let rest = n - epoch * this.eventsPerEpoch;
    let ts = base + epoch * this.epochMs;
    for (let i = 0; i < this.delayUs.length; i++) {
      const inStep = this.eventsPerStep[i]!;
      if (rest < inStep) return ts + Math.floor((rest * this.delayUs[i]!) / 1000);
      rest -= inStep;
      ts += this.stepMs;
    }
    return ts;
  }

  /**
   * A lower bound of the event time of every event at position `count` or later: the time of the first
   * number of `count`'s out-of-order group. A source that has emitted `count` events can emit a watermark
   * one below it.
   */
  watermark(count: number): number {
    const g = this.config.outOfOrderGroupSize;
    return this.timestamp(Math.floor(count / g) * g);
  }

  /** The events at positions `from` to `from + count - 1`. */
  events(count: number, from = 0): NexmarkEvent[] {
    const out = new Array<NexmarkEvent>(count);
    for (let i = 0; i < count; i++) out[i] = this.event(from + i);
    return out;
  }

  /** The event at position `count` (0 = the first one emitted). */
  event(count: number): NexmarkEvent {
    const c = this.config;
    const n = this.eventNumber(count);
    const id = c.firstEventId + n;
    const ts = this.timestamp(n);
    const rnd = this.rnd.reset(c.seed, id);
    const off = id % this.total;
    if (off < c.personProportion) return this.person(id, ts, rnd);
    if (off < c.personProportion + c.auctionProportion) return this.auction(id, n, ts, rnd);
    return this.bid(id, ts, rnd);
  }

  private lastPerson(id: number): number {
    const c = this.config;
    const epoch = Math.floor(id / this.total);
    const off = id % this.total;
    return epoch * c.personProportion + Math.min(off, c.personProportion - 1);
  }

  private lastAuction(id: number): number {
    const c = this.config;
    let epoch = Math.floor(id / this.total);
    let off = id % this.total;
    if (off < c.personProportion) {
      epoch--;
      off = c.auctionProportion - 1;
    } else if (off >= c.personProportion + c.auctionProportion) off = c.auctionProportion - 1;
    else off -= c.personProportion;
    return epoch * c.auctionProportion + off;
  }

  private randomPerson(id: number, rnd: CounterRandom): number {
    const people = this.lastPerson(id) + 1;
    const active = Math.min(people, this.config.numActivePeople);
    return people - active + rnd.nextInt(active + PERSON_ID_LEAD);
  }

  private randomAuction(id: number, rnd: CounterRandom): number {
    const last = this.lastAuction(id);
    const min = Math.max(last - this.config.numInFlightAuctions, 0);
    return min + rnd.nextInt(last - min + 1 + AUCTION_ID_LEAD);
  }

  private person(id: number, ts: number, rnd: CounterRandom): Person {
    const name = NAMES[rnd.nextInt(NAMES.length)]!;
    const email = `${randomString(rnd, 7)}@${randomString(rnd, 5)}.com`;
    const d = fourDigits();
    const card = `${d[rnd.nextInt(10_000)]!} ${d[rnd.nextInt(10_000)]!} ${d[rnd.nextInt(10_000)]!} ${d[rnd.nextInt(10_000)]!}`;
    const city = CITIES[rnd.nextInt(CITIES.length)]!;
    const state = STATES[rnd.nextInt(STATES.length)]!;
    const size = 16 + name.length + email.length + card.length + city.length + state.length;
    return new Person(FIRST_PERSON_ID + this.lastPerson(id), name, email, card, city, state, ts, extra(rnd, size, this.config.avgPersonByteSize));
  }

  private auction(id: number, n: number, ts: number, rnd: CounterRandom): Auction {
    const c = this.config;
    const itemName = randomString(rnd, 20);
    const description = randomString(rnd, 100);
    const initialBid = price(rnd);
    const reserve = initialBid + price(rnd);
    const horizon = this.timestamp(n + this.eventsForAuctions) - ts;
    const expires = ts + 1 + rnd.nextInt(Math.max(horizon * 2, 1));
    const seller = rnd.nextInt(c.hotSellersRatio) > 0 ? Math.floor(this.lastPerson(id) / HOT_STEP) * HOT_STEP : this.randomPerson(id, rnd);
    const category = FIRST_CATEGORY_ID + rnd.nextInt(NUM_CATEGORIES);
    const size = 48 + itemName.length + description.length;
    return new Auction(
      FIRST_AUCTION_ID + this.lastAuction(id),
      itemName,
      description,
      initialBid,
      reserve,
      ts,
      expires,
      FIRST_PERSON_ID + seller,
      category,
      extra(rnd, size, c.avgAuctionByteSize),
    );
  }

  private bid(id: number, ts: number, rnd: CounterRandom): Bid {
    const c = this.config;
    const auction = rnd.nextInt(c.hotAuctionRatio) > 0 ? Math.floor(this.lastAuction(id) / HOT_STEP) * HOT_STEP : this.randomAuction(id, rnd);
    const bidder = rnd.nextInt(c.hotBiddersRatio) > 0 ? Math.floor(this.lastPerson(id) / HOT_STEP) * HOT_STEP + 1 : this.randomPerson(id, rnd);
    return new Bid(FIRST_AUCTION_ID + auction, FIRST_PERSON_ID + bidder, price(rnd), ts, extra(rnd, 32, c.avgBidByteSize));
  }
}

/** Log-uniform cents from 100 ($1) to 10^8 ($1 M). */
function price(rnd: CounterRandom): number {
  return Math.round(100 * Math.pow(10, 6 * rnd.nextDouble()));
}

/** Random text of length uniform in [3, max), spaces trimmed (cut from the character pool). */
function randomString(rnd: CounterRandom, max: number): string {
  const p = charPool();
  const len = 3 + rnd.nextInt(max - 3);
  const at = rnd.nextInt(POOL_SIZE - len);
  return p.substring(at, at + len).trim();
}

/** Padding of length about `avg - size` (±20 %), or '' when the event is already that big. */
function extra(rnd: CounterRandom, size: number, avg: number): string {
  if (size >= avg) return '';
  const target = avg - size;
  const delta = Math.round(0.2 * target);
  const len = target - delta + (delta > 0 ? rnd.nextInt(2 * delta) : 0);
  const at = rnd.nextInt(POOL_SIZE - len);
  return charPool().substring(at, at + len);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
