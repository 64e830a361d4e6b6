/// <reference lib="dom" />
/**
 * The dashboard page: runs the tidemark pipeline of `pipeline.ts` on the seeded click feed in real time
 * (feed time = wall-clock time since the page started, click `i` arriving at `i * 1000 / rate` ms) and
 * draws the model with uPlot. Query parameters: see `runConfigFromQuery` (`seed`, `rate`, `events`,
 * `window`, `slide`, `bound`, `top`).
 * @module
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { formatCount, formatKB, formatLag, formatTime } from './format';
import { runConfigFromQuery } from './config';
import { DashboardRun, type DashboardSnapshot } from './pipeline';

declare const __TIDEMARK_CORE_SIZE__: { raw: number; gzip: number };

const run = new DashboardRun(runConfigFromQuery(location.search));
const pipeline = run.pipeline;
const urls = run.feed.config.urls;

const $ = <E extends Element = HTMLElement>(selector: string): E => document.querySelector<E>(selector)!;
const app = $('#app');
const out = (id: string): HTMLOutputElement => $(`[data-testid="${id}"]`);
const setOut = (id: string, value: number | null, text: string): void => {
  const el = out(id);
  el.textContent = text;
  el.dataset['value'] = value === null ? '' : String(value);
};

$('[data-testid="config"]').textContent =
  `seed ${run.feed.config.seed} · ${formatCount(run.feed.config.rate)} clicks/s` +
  (Number.isFinite(run.limit) ? ` · ${formatCount(run.limit)} clicks` : '') +
  ` · out-of-orderness ${pipeline.outOfOrderness} ms`;
$('[data-testid="window-spec"]').textContent = `(size ${pipeline.windowSize} ms, slide ${pipeline.windowSlide} ms)`;
const core = __TIDEMARK_CORE_SIZE__;
setOut('core-size', core.gzip, `${formatKB(core.gzip)} gz`);
out('core-size').title = `lib/index.ts bundled and minified for the browser, rxjs excluded: ${formatKB(core.raw)}, ${formatKB(core.gzip)} gzipped`;

// ---- charts ---------------------------------------------------------------------------------------
const palette = ['#2f6fde', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#a07e00', '#5c677d'];
const width = (el: HTMLElement): number => Math.max(320, el.clientWidth);
const utcTime = (t: number): string => new Date(t * 1000).toISOString().slice(14, 21);

const countsEl = $('#counts-chart');
const countsChart = new uPlot(
  {
    width: width(countsEl),
    height: 280,
    legend: { live: false },
    scales: { x: { time: false } },
    axes: [
      { label: 'window end (event time, UTC mm:ss.s)', values: (_u, ticks) => ticks.map(utcTime) },
      { label: 'clicks in window', size: 60 },
    ],
    series: [
      { label: 'window end', value: (_u, v) => (v == null ? '–' : formatTime(v * 1000)) },
      ...urls.map((url, i) => ({ label: url, stroke: palette[i % palette.length]!, width: 2, points: { show: false } })),
    ],
  },
  [[], ...urls.map(() => [])],
  countsEl,
);

const topEl = $('#top-chart');
let topLabels: string[] = [];
const topChart = new uPlot(
  {
    width: width(topEl),
    height: 220,
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
    axes: [{ values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (topLabels[t - 1] ?? '') : '')) }, { size: 60 }],
    series: [{ label: 'rank' }, { label: 'clicks', fill: '#2f6fde55', stroke: '#2f6fde', paths: uPlot.paths.bars!({ size: [0.6, 120] }), points: { show: false } }],
    legend: { show: false },
  },
  [[], []],
  topEl,
);
const topBody = $<HTMLTableSectionElement>('[data-testid="top-table"] tbody');

const lagEl = $('#lag-chart');
const lagChart = new uPlot(
  {
    width: width(lagEl),
    height: 220,
    legend: { live: false },
    scales: { x: { time: false }, late: {} },
    axes: [{ label: 'feed time (s)' }, { label: 'lag (ms)', size: 60 }, { scale: 'late', side: 1, label: 'late clicks', grid: { show: false }, size: 60 }],
    series: [
      { label: 'feed time (s)' },
      { label: 'watermark lag (ms)', stroke: '#2f6fde', width: 2, points: { show: false } },
      { label: 'late clicks', scale: 'late', stroke: '#e8590c', width: 2, points: { show: false } },
    ],
  },
  [[], [], []],
  lagEl,
);

// ---- drawing ----------------------------------------------------------------------------------------
let drawnVersion = -1;
function draw(s: DashboardSnapshot): void {
  app.dataset['events'] = String(s.events);
  app.dataset['done'] = String(s.done);
  setOut('events', s.events, formatCount(s.events));
  setOut('late', s.late, formatCount(s.late));
  setOut('lag', s.lag, formatLag(s.lag));
  setOut('watermark', s.watermark, formatTime(s.watermark));
  const status = $('#status');
  if (run.model.error !== undefined) {
    status.dataset['state'] = 'error';
    status.textContent = `pipeline failed: ${String(run.model.error)}`;
  } else {
    status.dataset['state'] = s.done ? 'done' : 'running';
    status.textContent = s.done ? 'feed ended: every window has fired' : 'running';
  }
  if (run.model.version === drawnVersion) return;
  drawnVersion = run.model.version;
  countsChart.setData([s.windowEnds.map((e) => e / 1000), ...urls.map((u) => s.counts[u]!)]);
  const top = s.top?.top ?? [];
  topLabels = top.map((t) => t.url);
  topChart.setData([top.map((_t, i) => i + 1), top.map((t) => t.count)]);
  $('[data-testid="top-window"]').textContent = s.top === null ? '–' : formatTime(s.top.windowEnd);
  $('[data-testid="top-window"]').dataset['value'] = s.top === null ? '' : String(s.top.windowEnd);
  topBody.replaceChildren(
    ...top.map((t, i) => {
      const tr = document.createElement('tr');
      for (const text of [String(i + 1), t.url, formatCount(t.count)]) tr.appendChild(document.createElement('td')).textContent = text;
      tr.dataset['url'] = t.url;
      tr.dataset['count'] = String(t.count);
      return tr;
    }),
  );
  lagChart.setData([s.lagSeries.map((p) => p.at / 1000), s.lagSeries.map((p) => p.lag), s.lagSeries.map((p) => p.late)]);
}

// ---- the live loop ----------------------------------------------------------------------------------
/** How the main thread fares: per-frame work (ingest + draw) and input delays, for the test and the curious. */
const perf = { frames: 0, maxWorkMs: 0, workMs: [] as number[], frameGaps: [] as number[], inputDelays: [] as number[], startedAt: 0, doneAt: 0 };
const keep = (list: number[], v: number): void => {
  list.push(v);
  if (list.length > 1000) list.shift();
};
document.addEventListener('pointermove', (e) => keep(perf.inputDelays, performance.now() - e.timeStamp), { passive: true });

const DRAW_EVERY_MS = 100;
const MAX_CLICKS_PER_FRAME = 50_000;
const rateWindow: Array<[number, number]> = [];
let t0 = 0;
let lastFrame = 0;
let lastDraw = Number.NEGATIVE_INFINITY;

function frame(now: number): void {
  const start = performance.now();
  if (t0 === 0) t0 = perf.startedAt = now;
  else keep(perf.frameGaps, now - lastFrame);
  lastFrame = now;
  run.ingestUntil(now - t0, MAX_CLICKS_PER_FRAME);
  rateWindow.push([now, run.model.events]);
  while (rateWindow.length > 1 && now - rateWindow[0]![0] > 1000) rateWindow.shift();
  const finished = run.model.done || run.model.error !== undefined;
  if (finished || now - lastDraw >= DRAW_EVERY_MS) {
    lastDraw = now;
    const [t, n] = rateWindow[0]!;
    if (now > t) setOut('rate', null, `${formatCount(Math.round(((run.model.events - n) * 1000) / (now - t)))}/s`);
    draw(run.model.snapshot());
  }
  const work = performance.now() - start;
  perf.frames++;
  perf.maxWorkMs = Math.max(perf.maxWorkMs, work);
  keep(perf.workMs, work);
  if (finished) perf.doneAt = now;
  else requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

addEventListener('resize', () => {
  for (const [chart, el] of [
    [countsChart, countsEl],
    [topChart, topEl],
    [lagChart, lagEl],
  ] as const) {
    chart.setSize({ width: width(el), height: chart.height });
  }
});

/** For tests and the console: the run, the charts (their `data` is what is drawn) and main-thread stats. */
Object.assign(window, { __dashboard: { run, perf, charts: { counts: countsChart, top: topChart, lag: lagChart } } });
