/**
 * The page's settings from its query string (`?seed=7&rate=10000&events=30000`), shared with the test so
 * both build the same run.
 * @module
 */
import { DEFAULT_FEED } from './feed';
import { DEFAULT_PIPELINE, type RunConfig } from './pipeline';

/**
 * Reads `seed`, `rate` (clicks/s), `events` (stop after that many; default endless), `window`, `slide`,
 * `bound` (out-of-orderness, ms) and `top`; anything missing or not a number takes its default.
 */
export function runConfigFromQuery(query: string | URLSearchParams): RunConfig & { feed: { seed: number; rate: number } } {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const num = (name: string, fallback: number): number => {
    const v = params.get(name);
    const n = v === null || v === '' ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : fallback;
  };
  return {
    feed: { seed: num('seed', DEFAULT_FEED.seed), rate: num('rate', DEFAULT_FEED.rate) },
    pipeline: {
      windowSize: num('window', DEFAULT_PIPELINE.windowSize),
      windowSlide: num('slide', DEFAULT_PIPELINE.windowSlide),
      outOfOrderness: num('bound', DEFAULT_PIPELINE.outOfOrderness),
      topN: num('top', DEFAULT_PIPELINE.topN),
    },
    ...(params.has('events') ? { limit: num('events', Number.POSITIVE_INFINITY) } : {}),
    history: 40,
  };
}
