/**
 * Windows benchmark: keyed event-time windows counting events, 10k keys, 1% out of order, a watermark
 * every 1000 events; tumbling (10 s) and sliding (10 s every 1 s, size = 10 x slide) with an incremental
 * aggregate, against two hand-written Map-based loops on the same data (state by key, the naive layout;
 * state by window, the tight one). Prints M events/s, the ratios, and heap use, and checks that every
 * side fired the same windows with the same counts. Target: tumbling reaches a third of the loop. The
 * input is generated on the fly from a seeded PRNG (as a live source would produce it); the tumbling case
 * is also measured on the same data preloaded into an array, where both sides skip generation, and at 1k,
 * 100k and 1M keys. Bytes per key and window: one window open for each of 200k keys, nothing fired.
 * Run: npm run bench -- --only windows [--size 1M]
 */
import { Observable } from 'rxjs';
import { type Collector, countWindow, EventTimeTrigger, MetricGroup, sessionEventWindow, type TimeWindow, type Trigger, slidingEventWindow, StreamRecord, tumblingEventWindow, values, Watermark, windowCount, windowStateSize, type StreamElement } from '../lib/index';
import { benchSize, compare, heapMiB, keyScales, MinHeapBy, rng, type Side } from './harness';

const N = benchSize(10_000_000);
const KEYS = 10_000;
const WM_EVERY = 1000;
const DELAY = 1000;
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

/**
 * The input, generated on the fly from a seeded PRNG (the same sequence for every consumer), as a live
 * source would produce it: nothing is preloaded, so neither side pays for a huge resident heap.
 */
function* events(n: number, keyNames: readonly string[] = keys): Generator<StreamElement<number>> {
  const random = rng(3);
  const keyCount = keyNames.length;
  let maxTs = 0;
  for (let i = 0; i < n; i++) {
    let ts = Math.floor(i / 10);
    if (random() < 0.01) ts = Math.max(0, ts - Math.floor(random() * 500));
    maxTs = Math.max(maxTs, ts);
    yield new StreamRecord(1, ts, keyNames[Math.floor(random() * keyCount)]!);
    if (i % WM_EVERY === WM_EVERY - 1) yield new Watermark(maxTs - DELAY);
  }
  yield Watermark.MAX;
}
console.log(`${N.toLocaleString()} events, ${KEYS.toLocaleString()} keys, 1% out of order, generated on the fly`);

/** The sliding case does 10 window updates per event: it runs on the first 2M events at most. */
const SLIDING_N = Math.min(N, 2_000_000);

const sourceOf = (n: number, keyNames: readonly string[] = keys) =>
  new Observable<StreamElement<number>>((s) => {
    for (const el of events(n, keyNames)) {
      if (s.closed) return;
      s.next(el);
    }
    s.complete();
  });
/** A source over `input` that never completes: its subscription holds the operator's state (memory figures). */
const openSource = (input: readonly StreamElement<number>[]) =>
  new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < input.length; i++) s.next(input[i]!);
  });
/** Keys whose state the memory figures measure, one window each. */
const MEM_KEYS = Math.min(200_000, N);
/** The memory input: one record per key at time 5, no watermark, so every window stays open (kept for both sides). */
const memInput: StreamElement<number>[] = Array.from({ length: MEM_KEYS }, (_, i) => new StreamRecord(1, 5, `key${i}`));
const source = sourceOf(N);

/** What a run fired: the number of window results and the sum of their counts (every side must agree). */
class Checksum {
  windows = 0;
  total = 0;
  add(count: number): void {
    this.windows++;
    this.total += count;
  }
  toString(): string {
    return `${this.windows} windows, ${this.total} counted`;
  }
}
/**
 * The naive hand-written loop: per key a Map from window start to count, and per window end the set of
 * keys to fire (the layout of a keyed operator: state by key, a timer per key and window).
 */
function perKeyLoop(input: Iterable<StreamElement<number>>, size: number, slide: number, hold?: unknown[]): Checksum {
  const sum = new Checksum();
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
          sum.add(w.get(end - size)!);
          w.delete(end - size);
          if (w.size === 0) state.delete(key);
        }
        byEnd.delete(end);
      }
    }
  }
  hold?.push(state, byEnd, ends);
  return sum;
}

/**
 * The tight hand-written loop: per window start a Map from key to count, and the sorted window starts
 * (every key of a window fires at once, so nothing is kept per key and window beyond the count).
 */
function perWindowLoop(input: Iterable<StreamElement<number>>, size: number, slide: number, hold?: unknown[]): Checksum {
  const sum = new Checksum();
  const tables = new Map<number, Map<string, number>>();
  const starts: number[] = [];
  let watermark = -Infinity;
  for (const el of input) {
    if (el instanceof StreamRecord) {
      const ts = el.timestamp!;
      const key = el.key as string;
      for (let start = ts - (ts % slide); start > ts - size; start -= slide) {
        if (start + size - 1 <= watermark) continue;
        let t = tables.get(start);
        if (t === undefined) {
          tables.set(start, (t = new Map()));
          let i = starts.length;
          while (i > 0 && starts[i - 1]! > start) i--;
          starts.splice(i, 0, start);
        }
        const c = t.get(key);
        t.set(key, c === undefined ? 1 : c + 1);
      }
    } else if (el instanceof Watermark) {
      watermark = el.time;
      while (starts.length > 0 && starts[0]! + size - 1 <= watermark) {
        const start = starts.shift()!;
        for (const c of tables.get(start)!.values()) sum.add(c);
        tables.delete(start);
      }
    }
  }
  hold?.push(tables, starts);
  return sum;
}

type Loop = typeof perKeyLoop;

/**
 * A hand-written session loop (gap `gap`): per key its open sessions, a new element's window
 * `[t, t + gap)` merged with every session it overlaps or touches, a merged session late when its end - 1
 * is at or before the watermark; sessions fire from a min-heap of ends (entries of merged-away sessions
 * are skipped).
 */
function sessionLoop(input: Iterable<StreamElement<number>>, gap: number): Checksum {
  interface Session {
    start: number;
    end: number;
    count: number;
    live: boolean;
    key: string;
  }
  const sum = new Checksum();
  const open = new Map<string, Session[]>();
  const heap = new MinHeapBy<Session>((x) => x.end);
  let watermark = -Infinity;
  for (const el of input) {
    if (el instanceof StreamRecord) {
      const ts = el.timestamp!;
      const key = el.key as string;
      let list = open.get(key);
      if (list === undefined) open.set(key, (list = []));
      let start = ts;
      let end = ts + gap;
      let count = 1;
      for (let i = list.length - 1; i >= 0; i--) {
        const x = list[i]!;
        if (x.start <= end && x.end >= start) {
          start = Math.min(start, x.start);
          end = Math.max(end, x.end);
          count += x.count;
          x.live = false;
          list.splice(i, 1);
        }
      }
      if (end - 1 <= watermark) continue; // late (merging into a live session is never late)
      const session: Session = { start, end, count, live: true, key };
      list.push(session);
      heap.push(session);
    } else if (el instanceof Watermark) {
      watermark = el.time;
      while (heap.length > 0 && heap.peek()!.end - 1 <= watermark) {
        const x = heap.pop();
        if (!x.live) continue;
        sum.add(x.count);
        const list = open.get(x.key)!;
        list.splice(list.indexOf(x), 1);
        if (list.length === 0) open.delete(x.key);
      }
    }
  }
  return sum;
}

/** The default event-time trigger behind a plain object: a user's own trigger, so the general operator runs. */
const eventTimeTrigger = EventTimeTrigger.create();
const userTrigger: Trigger<unknown, TimeWindow> = {
  onElement: (e, ts, w, ctx) => eventTimeTrigger.onElement(e, ts, w, ctx),
  onEventTime: (time, w) => eventTimeTrigger.onEventTime(time, w),
  onProcessingTime: () => eventTimeTrigger.onProcessingTime(),
  clear: (w, ctx) => eventTimeTrigger.clear(w, ctx),
};
const TUMBLING = 'tumbling';
const SLIDING = 'sliding';

/** What a run of `op` over `source` fired. */
function fired(source: Observable<StreamElement<number>>, op: (s: Observable<StreamElement<number>>) => Observable<number>): Checksum {
  const sum = new Checksum();
  op(source).subscribe((c) => sum.add(c));
  return sum;
}

const tumblingOp = (metrics?: MetricGroup) => (s: Observable<StreamElement<number>>) =>
  s.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), ...(metrics ? { metrics } : {}) }), values());
const generalOp = (metrics?: MetricGroup) => (s: Observable<StreamElement<number>>) =>
  s.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), trigger: userTrigger, ...(metrics ? { metrics } : {}) }), values());

/** The two hand loops as sides over `input()` (window `size`, `slide`), with memory holds for tumbling. */
function loopSides(caseName: string, input: () => Iterable<StreamElement<number>>, size: number, slide: number): Side[] {
  return [
    { label: `hand-written per-window loop, ${caseName}`, run: () => perWindowLoop(input(), size, slide), hold: () => { const h: unknown[] = []; perWindowLoop(memInput, size, slide, h); return h; } },
    { label: `hand-written per-key loop, ${caseName}`, run: () => perKeyLoop(input(), size, slide), hold: () => { const h: unknown[] = []; perKeyLoop(memInput, size, slide, h); return h; } },
  ];
}

async function main(): Promise<void> {
  const metrics = new MetricGroup();
  const tumblingLoops = loopSides(TUMBLING, () => events(N), 10_000, 10_000);
  const loopLabels = tumblingLoops.map((x) => x.label);
  await compare('keyed tumbling event-time count, input generated on the fly (target >= 0.33x the loop)', {
    events: N,
    keys: KEYS,
    memoryKeys: MEM_KEYS,
    baselines: loopLabels,
    sides: [
      ...tumblingLoops,
      { label: 'tidemark tumblingEventWindow(10 s) windowCount()', run: () => fired(source, tumblingOp(metrics)), hold: () => tumblingOp()(openSource(memInput)).subscribe() },
      // the same with a process function that receives the count (still the incremental operator), and with
      // a custom trigger, which takes the general operator (state by key, a timer per key and window)
      {
        label: 'tidemark tumblingEventWindow, windowCount + process',
        run: () =>
          fired(source, (s) =>
            s.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), process: (_k: unknown, _ctx: unknown, counts: number[], out: Collector<number>) => out.collect(counts[0]!), metrics }), values()),
          ),
      },
      { label: 'tidemark general window operator (trigger given)', run: () => fired(source, generalOp(metrics)), hold: () => generalOp()(openSource(memInput)).subscribe() },
    ],
  });

  // the same data preloaded into an array first: both sides skip generation
  const preloaded = [...events(N)];
  const preloadedSource = new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < preloaded.length && !s.closed; i++) s.next(preloaded[i]!);
    s.complete();
  });
  const preloadedLoops = loopSides(TUMBLING, () => preloaded, 10_000, 10_000);
  await compare('keyed tumbling event-time count, input preloaded in memory (target >= 0.33x the loop)', {
    events: N,
    keys: KEYS,
    baselines: preloadedLoops.map((x) => x.label),
    sides: [...preloadedLoops, { label: 'tidemark tumblingEventWindow(10 s), preloaded', run: () => fired(preloadedSource, tumblingOp(metrics)) }],
  });
  preloaded.length = 0;
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);

  const slidingSource = sourceOf(SLIDING_N);
  const slidingLoops = loopSides(SLIDING, () => events(SLIDING_N), 10_000, 1_000);
  await compare('keyed sliding event-time count, size = 10 x slide (one accumulator per window)', {
    events: SLIDING_N,
    keys: KEYS,
    baselines: slidingLoops.map((x) => x.label),
    sides: [
      ...slidingLoops,
      { label: 'tidemark slidingEventWindow(10 s, 1 s) windowCount()', run: () => fired(slidingSource, (s) => s.pipe(slidingEventWindow(10_000, 1_000, { aggregate: windowCount(), metrics }), values())) },
    ],
  });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);
  await compare('keyed event-time sessions, gap 500 ms, about one element per session and key', {
    events: SLIDING_N,
    keys: KEYS,
    sides: [
      { label: 'hand-written session loop', run: () => sessionLoop(events(SLIDING_N), 500) },
      { label: 'tidemark sessionEventWindow(500 ms) windowCount()', run: () => fired(slidingSource, (s) => s.pipe(sessionEventWindow(500, { aggregate: windowCount(), metrics }), values())) },
    ],
  });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);
  // count windows (the general operator: a global window per key with a purging count trigger)
  await compare('keyed count windows of 100 elements (the general operator)', {
    events: SLIDING_N,
    keys: KEYS,
    sides: [
      {
        label: 'hand-written loop, a count per key, fire at 100',
        run: () => {
          const sum = new Checksum();
          const counts = new Map<string, number>();
          for (const el of events(SLIDING_N)) {
            if (!(el instanceof StreamRecord)) continue;
            const k = el.key as string;
            const c = (counts.get(k) ?? 0) + 1;
            if (c === 100) {
              sum.add(c);
              counts.set(k, 0);
            } else counts.set(k, c);
          }
          return sum;
        },
      },
      { label: 'tidemark countWindow(100) windowCount()', run: () => fired(slidingSource, (s) => s.pipe(countWindow(100, undefined, { aggregate: windowCount(), metrics }), values())) },
    ],
  });

  // throughput at 1k, 100k and 1M keys: the tight loop and the table operator, input generated on the fly
  for (const k of keyScales(N)) {
    const names = Array.from({ length: k }, (_, i) => `k${i}`);
    const src = sourceOf(N, names);
    await compare(`keyed tumbling event-time count at ${k.toLocaleString('en-US')} keys`, {
      events: N,
      keys: k,
      sides: [
        { label: `hand-written per-window loop, ${TUMBLING}`, run: () => perWindowLoop(events(N, names), 10_000, 10_000) },
        { label: 'tidemark tumblingEventWindow(10 s) windowCount()', run: () => fired(src, tumblingOp()) },
      ],
    });
  }
}

void main();
