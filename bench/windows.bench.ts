/**
 * Windows benchmark: keyed event-time windows counting events, 10k keys, 1% out of order, a watermark
 * every 1000 events; tumbling (10 s) and sliding (10 s every 1 s, size = 10 x slide) with an incremental
 * aggregate, against a hand-written Map-based loop on the same data. Prints M events/s, the ratio, and
 * heap use. Target: tumbling reaches a third of the loop. The input is generated on the fly from a seeded
 * PRNG (as a live source would produce it); the tumbling case is also measured on the same data preloaded
 * into an array, where both sides skip generation and the ratio is lower.
 * Run: npm run bench -- --only windows [--size 1M]
 */
import { Observable } from 'rxjs';
import { MetricGroup, slidingEventWindow, StreamRecord, tumblingEventWindow, values, Watermark, windowCount, windowStateSize, type StreamElement } from '../lib/index';
import { benchSize, heapMiB, measure, report, rng } from './harness';

const N = benchSize(10_000_000);
const KEYS = 10_000;
const WM_EVERY = 1000;
const DELAY = 1000;
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

/**
 * The input, generated on the fly from a seeded PRNG (the same sequence for every consumer), as a live
 * source would produce it: nothing is preloaded, so neither side pays for a huge resident heap.
 */
function* events(n: number): Generator<StreamElement<number>> {
  const random = rng(3);
  let maxTs = 0;
  for (let i = 0; i < n; i++) {
    let ts = Math.floor(i / 10);
    if (random() < 0.01) ts = Math.max(0, ts - Math.floor(random() * 500));
    maxTs = Math.max(maxTs, ts);
    yield new StreamRecord(1, ts, keys[Math.floor(random() * KEYS)]!);
    if (i % WM_EVERY === WM_EVERY - 1) yield new Watermark(maxTs - DELAY);
  }
  yield Watermark.MAX;
}
console.log(`${N.toLocaleString()} events, ${KEYS.toLocaleString()} keys, 1% out of order, generated on the fly`);

/** The sliding case does 10 window updates per event: it runs on the first 2M events at most. */
const SLIDING_N = Math.min(N, 2_000_000);

const sourceOf = (n: number) =>
  new Observable<StreamElement<number>>((s) => {
    for (const el of events(n)) {
      if (s.closed) return;
      s.next(el);
    }
    s.complete();
  });
const source = sourceOf(N);

let sink = 0;

/** A hand-written loop: per key a Map from window start to count; a queue of window ends to fire. */
function handLoop(size: number, slide: number, n: number): void {
  handLoopOver(events(n), size, slide);
}

function handLoopOver(input: Iterable<StreamElement<number>>, size: number, slide: number): void {
  const state = new Map<string, Map<number, number>>();
  const byEnd = new Map<number, Set<string>>();
  const ends: number[] = [];
  let watermark = -Infinity;
  for (const el of input) {
    if (el instanceof StreamRecord) {
      const ts = el.timestamp!;
      const key = el.key as string;
      for (let start = ts - (ts % slide); start > ts - size; start -= slide) {
        const end = start + size;
        if (end - 1 <= watermark) continue;
        let w = state.get(key);
        if (w === undefined) state.set(key, (w = new Map()));
        const c = w.get(start);
        w.set(start, c === undefined ? 1 : c + 1);
        let ks = byEnd.get(end);
        if (ks === undefined) {
          byEnd.set(end, (ks = new Set()));
          ends.push(end);
          ends.sort((a, b) => a - b);
        }
        ks.add(key);
      }
    } else if (el instanceof Watermark) {
      watermark = el.time;
      while (ends.length > 0 && ends[0]! - 1 <= watermark) {
        const end = ends.shift()!;
        for (const key of byEnd.get(end)!) {
          const w = state.get(key)!;
          const count = w.get(end - size)!;
          if (count > 0) sink++;
          w.delete(end - size);
          if (w.size === 0) state.delete(key);
        }
        byEnd.delete(end);
      }
    }
  }
}

async function main(): Promise<void> {
  const tumblingLoop = await measure('hand-written loop, tumbling 10 s', N, () => handLoop(10_000, 10_000, N));
  const metrics = new MetricGroup();
  const tumbling = await measure('tidemark tumblingEventWindow(10 s) windowCount()', N, () =>
    source.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), metrics }), values()).subscribe(() => sink++),
  );
  report('keyed tumbling event-time count, input generated on the fly (target >= 0.33x the loop)', [tumblingLoop, tumbling], { loop: tumblingLoop });

  // the same data preloaded into an array first: both sides skip generation, so the ratio is lower
  const preloaded = [...events(N)];
  const preloadedLoop = await measure('hand-written loop, tumbling 10 s, preloaded', N, () => {
    handLoopOver(preloaded, 10_000, 10_000);
  });
  const preloadedSource = new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < preloaded.length && !s.closed; i++) s.next(preloaded[i]!);
    s.complete();
  });
  const preloadedTm = await measure('tidemark tumblingEventWindow(10 s), preloaded', N, () =>
    preloadedSource.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), metrics }), values()).subscribe(() => sink++),
  );
  report('keyed tumbling event-time count, input preloaded in memory', [preloadedLoop, preloadedTm], { loop: preloadedLoop });
  preloaded.length = 0;
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);

  const slidingSource = sourceOf(SLIDING_N);
  const slidingLoop = await measure('hand-written loop, sliding 10 s / 1 s', SLIDING_N, () => handLoop(10_000, 1_000, SLIDING_N), 1);
  const sliding = await measure('tidemark slidingEventWindow(10 s, 1 s) windowCount()', SLIDING_N, () =>
    slidingSource.pipe(slidingEventWindow(10_000, 1_000, { aggregate: windowCount(), metrics }), values()).subscribe(() => sink++), 1,
  );
  report('keyed sliding event-time count, size = 10 x slide (one accumulator per window)', [slidingLoop, sliding], { loop: slidingLoop });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB (sink ${sink})`);
}

void main();
