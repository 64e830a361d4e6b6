/**
 * The main example job (`npm start`): reads the bundled clicks CSV with `readTextFile`, assigns event
 * time (bounded out-of-orderness 5 s), keys by URL and counts clicks in tumbling one-minute event-time
 * windows. Clicks that arrive after their window has closed go to a side output and are reported, and
 * the late-data metric counts them. In-memory state, no Redis.
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, share, toArray } from 'rxjs';
import {
  assignWatermarks,
  filter,
  Job,
  keyBy,
  map,
  MetricGroup,
  NUM_LATE_RECORDS,
  OutputTag,
  sideOutput,
  type TimeWindow,
  tumblingEventWindow,
  values,
  windowCount,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowContext,
} from '../lib/index';
import { readTextFile } from '../lib/node/index';
import { type Click, CLICKS_CSV, isClickLine, parseClick } from './clicks';

/** One window's count for one URL. */
export interface UrlCount {
  url: string;
  windowStart: number;
  windowEnd: number;
  clicks: number;
}

/** What the job produces. */
export interface WindowedClicks {
  counts: UrlCount[];
  late: Click[];
  lateCounted: number;
}

/** Windowed click counts per URL, with late clicks routed to a side output. */
export async function windowedClicks(file = CLICKS_CSV, windowMs = 60_000, job = new Job({ name: 'windowed-clicks' })): Promise<WindowedClicks> {
  const lateClicks = new OutputTag<Click>('late-clicks');
  const metrics = new MetricGroup('windowed-clicks');
  const windowed$ = readTextFile(file, { job }).pipe(
    filter(isClickLine),
    map(parseClick),
    // bounded out-of-orderness of 5 s, emitted after every click: the file is read faster than any
    // periodic emit, and per-event emission makes the run deterministic
    assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withPerEventEmit().withTimestampAssigner((c) => c.timestamp)),
    keyBy((c) => c.url),
    tumblingEventWindow(windowMs, {
      aggregate: windowCount<Click>(),
      process: (url: unknown, ctx: ProcessWindowContext<TimeWindow>, [clicks]: number[], out: Collector<UrlCount>) =>
        out.collect({ url: String(url), windowStart: ctx.window.start, windowEnd: ctx.window.end, clicks: clicks! }),
      lateOutput: lateClicks,
      metrics,
    }),
    share(),
  );
  const [counts, late] = await Promise.all([
    lastValueFrom(windowed$.pipe(values(), toArray())),
    lastValueFrom(windowed$.pipe(sideOutput(lateClicks), values(), toArray())),
  ]);
  return { counts, late, lateCounted: metrics.counterValue(NUM_LATE_RECORDS) };
}

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

async function main(): Promise<void> {
  const { counts, late, lateCounted } = await windowedClicks();
  const windows = [...new Set(counts.map((c) => c.windowStart))].sort((a, b) => a - b);
  const urls = [...new Set(counts.map((c) => c.url))].sort();
  console.log('clicks per URL in tumbling 1-minute event-time windows (watermark: 5 s out of orderness)\n');
  console.log(['window (UTC)'.padEnd(20), ...urls.map((u) => u.padStart(11))].join(''));
  for (const w of windows) {
    const row = urls.map((u) => String(counts.find((c) => c.windowStart === w && c.url === u)?.clicks ?? '').padStart(11));
    console.log([`${time(w)}-${time(w + 60_000)}`.padEnd(20), ...row].join(''));
  }
  const total = counts.reduce((s, c) => s + c.clicks, 0);
  console.log(`\n${total} clicks counted in ${windows.length} windows`);
  console.log(`${late.length} late clicks routed to the side output (metric numLateRecords = ${lateCounted}), e.g.:`);
  for (const c of late.slice(0, 5)) console.log(`  ${c.user} ${c.url} at ${time(c.timestamp)}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
