/**
 * Windows benchmark: keyed event-time windows counting events, 10k keys, 1% out of order, a watermark
 * every 1000 events; tumbling (10 s) and sliding (10 s every 1 s, size = 10 x slide) with an incremental
 * aggregate, against a hand-written Map-based loop on the same data. Prints M events/s, the ratio, and
 * heap use. Target: tumbling reaches a third of the loop.
 * Run: npm run bench -- --only windows [--size 1M]
 */
import { Observable } from 'rxjs';
import { MetricGroup, slidingEventWindow, StreamRecord, tumblingEventWindow, values, Watermark, windowCount, windowStateSize, type StreamElement } from '../lib/index';
import { benchSize, heapMiB, measure, report, rng } from './harness';

const N = benchSize(10_000_000);
const KEYS = 10_000;
const WM_EVERY = 1000;
const DELAY = 1000;
const random = rng(3);
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

const elements: StreamElement<number>[] = [];
let maxTs = 0;
for (let i = 0; i < N; i++) {
  let ts = Math.floor(i / 10);
  if (random() < 0.01) ts = Math.max(0, ts - Math.floor(random() * 500));
  maxTs = Math.max(maxTs, ts);
  elements.push(new StreamRecord(1, ts, keys[Math.floor(random() * KEYS)]!));
  if (i % WM_EVERY === WM_EVERY - 1) elements.push(new Watermark(maxTs - DELAY));
}
elements.push(Watermark.MAX);
console.log(`${N.toLocaleString()} events, ${KEYS.toLocaleString()} keys, heap ${heapMiB().toFixed(0)} MiB`);

/** The sliding case does 10 window updates per event: it runs on the first 2M events at most. */
const SLIDING_N = Math.min(N, 2_000_000);
function firstEvents(n: number): StreamElement<number>[] {
  if (n === N) return elements;
  const out: StreamElement<number>[] = [];
  let records = 0;
  for (const el of elements) {
    if (el instanceof StreamRecord && ++records > n) break;
    out.push(el);
  }
  out.push(Watermark.MAX);
  return out;
}
const slidingElements = firstEvents(SLIDING_N);

const sourceOf = (els: StreamElement<number>[]) =>
  new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < els.length && !s.closed; i++) s.next(els[i]!);
    s.complete();
  });
const source = sourceOf(elements);

let sink = 0;

/** A hand-written loop: per key a Map from window start to count; a queue of window ends to fire. */
function handLoop(size: number, slide: number, elements: StreamElement<number>[]): void {
  const state = new Map<string, Map<number, number>>();
  const byEnd = new Map<number, Set<string>>();
  const ends: number[] = [];
  let watermark = -Infinity;
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
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
  const tumblingLoop = await measure('hand-written loop, tumbling 10 s', N, () => handLoop(10_000, 10_000, elements));
  const metrics = new MetricGroup();
  const tumbling = await measure('tidemark tumblingEventWindow(10 s) windowCount()', N, () =>
    source.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), metrics }), values()).subscribe(() => sink++),
  );
  report('keyed tumbling event-time count (target >= 0.33x the loop)', [tumblingLoop, tumbling], { loop: tumblingLoop });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);

  const slidingSource = sourceOf(slidingElements);
  const slidingLoop = await measure('hand-written loop, sliding 10 s / 1 s', SLIDING_N, () => handLoop(10_000, 1_000, slidingElements), 1);
  const sliding = await measure('tidemark slidingEventWindow(10 s, 1 s) windowCount()', SLIDING_N, () =>
    slidingSource.pipe(slidingEventWindow(10_000, 1_000, { aggregate: windowCount(), metrics }), values()).subscribe(() => sink++), 1,
  );
  report('keyed sliding event-time count, size = 10 x slide (one accumulator per window)', [slidingLoop, sliding], { loop: slidingLoop });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB (sink ${sink})`);
}

void main();
