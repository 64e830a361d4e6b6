/**
 * Top N URLs per window end: the window counts are keyed by their window end and collected by a
 * tumbling event-time window of one slide, which fires when the watermark passes `windowEnd - 1`, after
 * every URL's count for that end is in (the sliding window emits its results before it forwards the
 * watermark that fired them, so they are never late here).
 * @module
 */
import { pipe, type OperatorFunction } from 'rxjs';
import { type Collector, type Key, keyBy, type StreamElement, tumblingEventWindow } from '../../../lib/index';

/** The count of one URL in one window. */
export interface UrlCount {
  readonly url: string;
  readonly count: number;
  readonly windowEnd: number;
}

/** The N URLs with the most clicks in one window, most first (ties: URL ascending). */
export interface TopUrls {
  readonly windowEnd: number;
  readonly top: ReadonlyArray<{ readonly url: string; readonly count: number }>;
}

/** Orders window counts most clicks first, ties by URL. */
export const byCountThenUrl = (a: { url: string; count: number }, b: { url: string; count: number }): number =>
  b.count - a.count || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

/**
 * Emits the top `n` URLs of each window end (timestamp `windowEnd - 1`) once the watermark has passed it;
 * `slide` is the slide of the sliding windows the counts come from.
 */
export function topUrls(n: number, slide: number): OperatorFunction<StreamElement<UrlCount>, StreamElement<TopUrls>> {
  return pipe(
    keyBy((c: UrlCount) => c.windowEnd),
    tumblingEventWindow(slide, {
      name: 'topUrls',
      process: (end: Key, _ctx: unknown, counts: UrlCount[], out: Collector<TopUrls>) =>
        out.collect({ windowEnd: end as number, top: counts.map(({ url, count }) => ({ url, count })).sort(byCountThenUrl).slice(0, n) }),
    }),
  );
}
