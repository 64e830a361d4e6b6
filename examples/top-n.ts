/**
 * Top N per window, the classic pipeline: every 5 s, the top 2 URLs over the last 10 s.
 *
 *   keyBy(url) → slidingEventWindow(10 s, 5 s) counting clicks, with a process function that adds the
 *   window end → keyBy(window end) → a window that closes when the watermark passes that end → top N.
 *
 * The last stage is a tumbling event-time window of the slide: the counts of one window end all carry
 * the timestamp end - 1, so they meet in the same 5 s window, which fires exactly when the watermark
 * passes the end. (With keyed process functions, a timer at end + 1 does the same; see the
 * process-functions docs when that lands.) Run: npx tsx examples/top-n.ts
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import {
  assignWatermarks,
  filter,
  keyBy,
  map,
  slidingEventWindow,
  type TimeWindow,
  tumblingEventWindow,
  values,
  windowCount,
  type Collector,
  type ProcessWindowContext,
} from '../lib/index';
import { readTextFile } from '../lib/node/index';
import { type Click, CLICKS_CSV, isClickLine, parseClick } from './clicks';
import { punctuatedBoundedOutOfOrderness } from './main';

/** Clicks of one URL in one sliding window. */
export interface UrlWindowCount {
  url: string;
  windowEnd: number;
  count: number;
}

/** The top URLs of one window. */
export interface TopN {
  windowEnd: number;
  top: Array<{ url: string; count: number }>;
}

/** Every `slideMs`, the top `n` URLs by clicks over the last `sizeMs` of event time. */
export function topN(file = CLICKS_CSV, n = 2, sizeMs = 10_000, slideMs = 5_000): Promise<TopN[]> {
  return lastValueFrom(
    readTextFile(file).pipe(
      filter(isClickLine),
      map(parseClick),
      assignWatermarks(punctuatedBoundedOutOfOrderness(2_000).withTimestampAssigner((c: Click) => c.timestamp), { interval: 0 }),
      keyBy((c) => c.url),
      slidingEventWindow(sizeMs, slideMs, {
        aggregate: windowCount<Click>(),
        process: (url: unknown, ctx: ProcessWindowContext<TimeWindow>, [count]: number[], out: Collector<UrlWindowCount>) =>
          out.collect({ url: String(url), windowEnd: ctx.window.end, count: count! }),
      }),
      keyBy((c: UrlWindowCount) => c.windowEnd),
      tumblingEventWindow(slideMs, {
        process: (windowEnd: unknown, _ctx: ProcessWindowContext<TimeWindow>, counts: UrlWindowCount[], out: Collector<TopN>) => {
          const top = [...counts].sort((a, b) => b.count - a.count || a.url.localeCompare(b.url)).slice(0, n);
          out.collect({ windowEnd: Number(windowEnd), top: top.map(({ url, count }) => ({ url, count })) });
        },
      }),
      values(),
      toArray(),
    ),
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  void topN().then((rows) => {
    console.log('top 2 URLs over the last 10 s, every 5 s (event time)\n');
    for (const r of rows) {
      const end = new Date(r.windowEnd).toISOString().slice(11, 19);
      console.log(`${end}  ${r.top.map((t) => `${t.url} (${t.count})`).join(', ')}`);
    }
  });
}
