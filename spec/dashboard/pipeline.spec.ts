import fc from 'fast-check';
import { MAX_WATERMARK } from '../../lib/index';
import { runConfigFromQuery } from '../../examples/dashboard/src/config';
import { ClickFeed, takeClicks, type Click } from '../../examples/dashboard/src/feed';
import { DashboardRun, DEFAULT_PIPELINE, type PipelineConfig } from '../../examples/dashboard/src/pipeline';
import { byCountThenUrl } from '../../examples/dashboard/src/top-n';

/**
 * Offline model of the dashboard pipeline: periodic watermarks every `interval` ms of feed time (emitted
 * before a click arriving at that very time) at `newest timestamp - bound - 1`; a click joins each of its
 * sliding windows whose last timestamp (`end - 1`) is still above the watermark; a click that joins none is
 * late. Every window with a click fires at the end of input.
 */
function model(clicks: Click[], p: PipelineConfig): { late: number; windows: Map<number, Map<string, number>> } {
  let watermark = Number.MIN_SAFE_INTEGER;
  let newest = Number.NEGATIVE_INFINITY;
  let nextEmit = p.watermarkInterval;
  let late = 0;
  const windows = new Map<number, Map<string, number>>();
  for (const c of clicks) {
    while (nextEmit <= c.arrival) {
      if (newest > Number.NEGATIVE_INFINITY) watermark = Math.max(watermark, newest - p.outOfOrderness - 1);
      nextEmit += p.watermarkInterval;
    }
    let joined = false;
    const lastStart = Math.floor(c.timestamp / p.windowSlide) * p.windowSlide;
    for (let start = lastStart; start > c.timestamp - p.windowSize; start -= p.windowSlide) {
      const end = start + p.windowSize;
      if (end - 1 <= watermark) continue;
      joined = true;
      let w = windows.get(end);
      if (w === undefined) windows.set(end, (w = new Map()));
      w.set(c.url, (w.get(c.url) ?? 0) + 1);
    }
    if (!joined) late++;
    newest = Math.max(newest, c.timestamp);
  }
  return { late, windows: new Map([...windows].sort((a, b) => a[0] - b[0])) };
}

describe('dashboard pipeline (examples/dashboard/src/pipeline.ts)', () => {
  it('the feed is deterministic per seed, arrives at rate, and has out-of-order and very late clicks', () => {
    const a = takeClicks({ seed: 3, rate: 5_000 }, 5_000);
    expect(takeClicks({ seed: 3, rate: 5_000 }, 5_000)).toEqual(a);
    expect(takeClicks({ seed: 4, rate: 5_000 }, 5_000)).not.toEqual(a);
    expect(a[4_999]!.arrival).toBeCloseTo(999.8, 6);
    const outOfOrder = a.filter((c, i) => i > 0 && c.timestamp < a[i - 1]!.timestamp).length;
    expect(outOfOrder).toBeGreaterThan(1_000);
    const veryLate = a.filter((c) => c.arrival + a[0]!.timestamp - c.timestamp > 2_500).length;
    expect(veryLate).toBeGreaterThan(5);
    expect(veryLate).toBeLessThan(100);
    expect(() => new ClickFeed({ rate: 0 })).toThrow('feed rate must be a positive number, got 0');
  });

  it('after the end of input, shows what an offline model of the windows computes', () => {
    const config = runConfigFromQuery('seed=11&rate=10000&events=20000');
    const run = new DashboardRun(config);
    run.ingestCount(20_000);
    const s = run.model.snapshot();
    const expected = model(takeClicks(config.feed, 20_000), { ...DEFAULT_PIPELINE, ...config.pipeline });

    expect(s.done).toBe(true);
    expect(s.events).toBe(20_000);
    expect(s.watermark).toBe(MAX_WATERMARK);
    expect(s.lag).toBeNull();
    expect(s.late).toBe(expected.late);
    expect(s.late).toBeGreaterThan(20);
    expect(s.lateMetric).toBe(s.late);
    const ends = [...expected.windows.keys()].slice(-40);
    expect(s.windowEnds).toEqual(ends);
    for (const url of run.feed.config.urls) {
      expect(s.counts[url]).toEqual(ends.map((e) => expected.windows.get(e)!.get(url) ?? 0));
    }
    const lastEnd = ends.at(-1)!;
    const top = [...expected.windows.get(lastEnd)!].map(([url, count]) => ({ url, count })).sort(byCountThenUrl).slice(0, 3);
    expect(s.top).toEqual({ windowEnd: lastEnd, top });
    expect(s.lagSeries.length).toBeGreaterThan(30);
    expect(s.lagSeries.every((p) => p.lag > DEFAULT_PIPELINE.outOfOrderness && p.lag < 1_000)).toBe(true);
  });

  it('the state after N clicks does not depend on how the clicks were batched into frames', () => {
    const config = runConfigFromQuery('seed=5&rate=10000&events=6000');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 60 }), (frameMs) => {
        const framed = new DashboardRun(config);
        const seen: Array<[number, unknown]> = [];
        let t = 0;
        for (const ms of frameMs) {
          t += ms;
          framed.ingestUntil(t, 2_000);
          seen.push([framed.model.events, framed.model.snapshot()]);
        }
        framed.ingestCount(6_000);
        seen.push([6_000, framed.model.snapshot()]);
        const oneByOne = new DashboardRun(config);
        for (const [n, snapshot] of seen) {
          oneByOne.ingestCount(n);
          expect(snapshot).toEqual(oneByOne.model.snapshot());
        }
      }),
      { numRuns: 20 },
    );
  });

  it('reads its settings from the query string, defaults for what is missing or not a number', () => {
    expect(runConfigFromQuery('seed=9&rate=500&events=100&window=1000&slide=250&bound=50&top=5')).toEqual({
      feed: { seed: 9, rate: 500 },
      pipeline: { windowSize: 1_000, windowSlide: 250, outOfOrderness: 50, topN: 5 },
      limit: 100,
      history: 40,
    });
    const d = runConfigFromQuery('rate=fast');
    expect(d.feed.rate).toBe(10_000);
    expect(d.pipeline).toEqual({ windowSize: 2_000, windowSlide: 500, outOfOrderness: 300, topN: 3 });
    expect('limit' in d).toBe(false);
  });
});
