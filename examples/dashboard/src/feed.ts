/**
 * A seeded, simulated click stream: the same seed gives the same clicks, in the same order, with the same
 * timestamps, in the browser and in Node. Click `i` arrives at `i * 1000 / rate` ms of the feed's own
 * clock (its processing time); its event time is that arrival minus a delay, so most clicks are a little
 * out of order and a few are very late. URL popularity drifts over time so the top N changes.
 * @module
 */

/** One click of the simulated feed. */
export interface Click {
  /** Position in the feed (0-based). */
  readonly seq: number;
  readonly url: string;
  readonly user: number;
  /** Event time, epoch ms. */
  readonly timestamp: number;
  /** When the click reaches the pipeline, in ms of the feed's clock since the feed started. */
  readonly arrival: number;
}

/** How the simulated feed behaves. Every field has a default ({@link DEFAULT_FEED}). */
export interface FeedConfig {
  /** Seed of the pseudo-random generator. */
  seed: number;
  /** Clicks per second of feed time. */
  rate: number;
  /** The URLs clicked, most popular first (before drift). */
  urls: readonly string[];
  /** Event time of the feed's start, epoch ms. */
  startTime: number;
  /** Ordinary clicks are delayed by up to this many ms, so they arrive out of order. */
  maxDelay: number;
  /** Share of clicks (0..1) that arrive very late. */
  lateShare: number;
  /** A very late click is delayed by `lateDelay[0]` to `lateDelay[1]` ms. */
  lateDelay: readonly [number, number];
  /** Period (ms of feed time) over which URL popularity drifts. */
  driftPeriod: number;
}

export const DEFAULT_FEED: FeedConfig = {
  seed: 42,
  rate: 10_000,
  urls: ['/home', '/search', '/cart', '/product/1', '/product/2', '/checkout', '/help', '/about'],
  startTime: Date.UTC(2024, 0, 1),
  maxDelay: 400,
  lateShare: 0.005,
  lateDelay: [3_000, 5_000],
  driftPeriod: 8_000,
};

/** mulberry32: a small, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The click feed: an endless, deterministic iterator over clicks, in arrival order. */
export class ClickFeed implements Iterator<Click> {
  readonly config: FeedConfig;
  private readonly random: () => number;
  private seq = 0;
  private readonly weights: number[];

  constructor(config: Partial<FeedConfig> = {}) {
    this.config = { ...DEFAULT_FEED, ...config };
    const { rate, urls, maxDelay, lateShare, lateDelay } = this.config;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`feed rate must be a positive number, got ${rate}`);
    if (urls.length === 0) throw new RangeError('feed needs at least one URL');
    if (!(maxDelay >= 0) || !(lateShare >= 0 && lateShare <= 1) || !(lateDelay[0] <= lateDelay[1])) {
      throw new RangeError('feed delays must be >= 0 and lateShare within [0, 1]');
    }
    this.random = mulberry32(this.config.seed);
    this.weights = urls.map(() => 0);
  }

  /** Arrival time (ms of feed time) of click number `seq`. */
  arrivalOf(seq: number): number {
    return (seq * 1000) / this.config.rate;
  }

  /** The next click. */
  next(): IteratorResult<Click> {
    const { urls, startTime, maxDelay, lateShare, lateDelay, driftPeriod } = this.config;
    const seq = this.seq++;
    const arrival = this.arrivalOf(seq);
    // Zipf-like popularity whose ranking rotates slowly with feed time.
    const phase = (2 * Math.PI * arrival) / driftPeriod;
    let total = 0;
    for (let i = 0; i < urls.length; i++) {
      const w = (1 / (i + 1)) * (1.6 + Math.sin(phase + (i * 2 * Math.PI) / urls.length));
      this.weights[i] = w;
      total += w;
    }
    let pick = this.random() * total;
    let u = 0;
    while (u < urls.length - 1 && pick >= this.weights[u]!) pick -= this.weights[u++]!;
    const late = this.random() < lateShare;
    const delay = late ? lateDelay[0] + this.random() * (lateDelay[1] - lateDelay[0]) : this.random() * maxDelay;
    const user = Math.floor(this.random() * 1000);
    return { done: false, value: { seq, url: urls[u]!, user, timestamp: Math.floor(startTime + arrival - delay), arrival } };
  }

  [Symbol.iterator](): Iterator<Click> {
    return this;
  }
}

/** The first `count` clicks of a feed (for tests and offline checks). */
export function takeClicks(config: Partial<FeedConfig>, count: number): Click[] {
  const feed = new ClickFeed(config);
  const out: Click[] = [];
  for (let i = 0; i < count; i++) out.push(feed.next().value);
  return out;
}
