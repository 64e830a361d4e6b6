/**
 * Top N per window, the classic pipeline: every 5 s, the top 2 URLs over the last 10 s.
 *
 *   keyBy(url) → slidingEventWindow(10 s, 5 s) counting clicks, with a process function that adds the
 *   window end → keyBy(window end) → keyedProcess: buffer the counts in list state and set an event-time
 *   timer at window end + 1 → when the watermark passes it, sort and emit the top N.
 *
 * `topNWithWindow` does the last stage with a tumbling window of the slide instead (the counts of one
 * window end all carry the timestamp end - 1, so they meet in one window). Run: npx tsx examples/top-n.ts
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import {
  assignWatermarks,
  filter,
  keyBy,
  keyedProcess,
  ListStateDescriptor,
  type ListState,
  map,
  slidingEventWindow,
  type TimeWindow,
  tumblingEventWindow,
  values,
  WatermarkStrategy,
  windowCount,
  type Collector,
  type ProcessWindowContext,
} from '../lib/index';
import { readTextFile } from '../lib/node/index';
import { type Click, CLICKS_CSV, isClickLine, parseClick } from './clicks';

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

const rank = (counts: UrlWindowCount[], n: number): TopN['top'] =>
  [...counts].sort((a, b) => b.count - a.count || a.url.localeCompare(b.url)).slice(0, n).map(({ url, count }) => ({ url, count }));

/** Counts per URL and sliding window, each with its window end. */
function windowCounts(file: string, sizeMs: number, slideMs: number) {
  return readTextFile(file).pipe(
    filter(isClickLine),
    map(parseClick),
    assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(2_000).withPerEventEmit().withTimestampAssigner((c) => c.timestamp)),
    keyBy((c) => c.url),
    slidingEventWindow(sizeMs, slideMs, {
      aggregate: windowCount<Click>(),
      process: (url: unknown, ctx: ProcessWindowContext<TimeWindow>, [count]: number[], out: Collector<UrlWindowCount>) =>
        out.collect({ url: String(url), windowEnd: ctx.window.end, count: count! }),
    }),
  );
}

/** Every `slideMs`, the top `n` URLs by clicks over the last `sizeMs` of event time (timer at window end + 1). */
export function topN(file = CLICKS_CSV, n = 2, sizeMs = 10_000, slideMs = 5_000): Promise<TopN[]> {
  let counts!: ListState<UrlWindowCount>;
  return lastValueFrom(
    windowCounts(file, sizeMs, slideMs).pipe(
      keyBy((c: UrlWindowCount) => c.windowEnd),
      keyedProcess<number, UrlWindowCount, TopN>({
        open(ctx) {
          counts = ctx.getListState(new ListStateDescriptor<UrlWindowCount>('counts'));
        },
        processElement(c, ctx) {
          counts.add(c);
          ctx.timerService().registerEventTimeTimer(c.windowEnd + 1);
        },
        onTimer(_t, ctx, out) {
          out.collect({ windowEnd: ctx.getCurrentKey(), top: rank(counts.get(), n) });
          counts.clear();
        },
      }),
      values(),
      toArray(),
    ),
  );
}

/** The same top N, with a tumbling window of the slide as the last stage instead of a timer. */
export function topNWithWindow(file = CLICKS_CSV, n = 2, sizeMs = 10_000, slideMs = 5_000): Promise<TopN[]> {
  return lastValueFrom(
    windowCounts(file, sizeMs, slideMs).pipe(
      keyBy((c: UrlWindowCount) => c.windowEnd),
      tumblingEventWindow(slideMs, {
        process: (windowEnd: unknown, _ctx: ProcessWindowContext<TimeWindow>, counts: UrlWindowCount[], out: Collector<TopN>) =>
          out.collect({ windowEnd: Number(windowEnd), top: rank(counts, n) }),
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
