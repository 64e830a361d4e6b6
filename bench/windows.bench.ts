/**
 * Windows benchmark: keyed event-time windows counting events, 10k keys, 1% out of order, a watermark
 * every 1000 events; tumbling (10 s) and sliding (10 s every 1 s, size = 10 x slide) with an incremental
 * aggregate, against two hand-written Map-based loops on the same data (state by key, the naive layout;
 * state by window, the tight one). Prints M events/s, the ratios, and heap use, and checks that every
 * side fired the same windows with the same counts. Target: tumbling reaches a third of the loop. The
 * input is generated on the fly from a seeded PRNG (as a live source would produce it); the tumbling case
 * is also measured on the same data preloaded into an array, where both sides skip generation.
 * Run: npm run bench -- --only windows [--size 1M]
 */
import { Observable, Subject, type OperatorFunction } from 'rxjs';
import { type Collector, countWindow, EventTimeTrigger, MetricGroup, sessionEventWindow, type TimeWindow, type Trigger, slidingEventWindow, StreamRecord, tumblingEventWindow, values, Watermark, windowCount, windowStateSize, type StreamElement } from '../lib/index';
import { benchSize, heapMiB, measure, MinHeapBy, report, rng } from './harness';

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
const checks = new Map<string, string>();
/** Records a case's checksum and throws if another side of the same case fired something else. */
function agree(caseName: string, side: string, sum: Checksum): void {
  const seen = checks.get(caseName);
  if (seen === undefined) checks.set(caseName, sum.toString());
  else if (seen !== sum.toString()) throw new Error(`${caseName}: ${side} fired ${sum} but the first side fired ${seen}`);
}

/**
 * The naive hand-written loop: per key a Map from window start to count, and per window end the set of
 * keys to fire (the layout of a keyed operator: state by key, a timer per key and window).
 */
function perKeyLoop(input: Iterable<StreamElement<number>>, size: number, slide: number): Checksum {
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
  return sum;
}

/**
 * The tight hand-written loop: per window start a Map from key to count, and the sorted window starts
 * (every key of a window fires at once, so nothing is kept per key and window beyond the count).
 */
function perWindowLoop(input: Iterable<StreamElement<number>>, size: number, slide: number): Checksum {
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
const SESSION = 'session';
const COUNT = 'count';

async function main(): Promise<void> {
  const loops = async (caseName: string, input: () => Iterable<StreamElement<number>>, size: number, slide: number, n: number, repeat?: number) => {
    const run = (label: string, loop: Loop) =>
      measure(label, n, () => agree(caseName, label, loop(input(), size, slide)), repeat);
    return {
      'per-window loop': await run(`hand-written per-window loop, ${caseName}`, perWindowLoop),
      'per-key loop': await run(`hand-written per-key loop, ${caseName}`, perKeyLoop),
    };
  };
  const tidemark = (caseName: string, label: string, n: number, subscribe: (sum: Checksum) => void, repeat?: number) =>
    measure(label, n, () => {
      const sum = new Checksum();
      subscribe(sum);
      agree(caseName, label, sum);
    }, repeat);
  const metrics = new MetricGroup();

  const tumblingLoops = await loops(TUMBLING, () => events(N), 10_000, 10_000, N);
  const tumbling = await tidemark(TUMBLING, 'tidemark tumblingEventWindow(10 s) windowCount()', N, (sum) =>
    source.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), metrics }), values()).subscribe((c) => sum.add(c)),
  );
  // the same with a process function that receives the count (still the incremental operator), and with
  // a custom trigger, which takes the general operator (state by key, a timer per key and window)
  const general = await tidemark(TUMBLING, 'tidemark tumblingEventWindow, windowCount + process', N, (sum) =>
    source
      .pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), process: (_k: unknown, _ctx: unknown, counts: number[], out: Collector<number>) => out.collect(counts[0]!), metrics }), values())
      .subscribe((c) => sum.add(c)),
  );
  const generalPath = await tidemark(TUMBLING, 'tidemark general window operator (trigger given)', N, (sum) =>
    source.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), trigger: userTrigger, metrics }), values()).subscribe((c) => sum.add(c)),
  );
  report('keyed tumbling event-time count, input generated on the fly (target >= 0.33x the loop)', [...Object.values(tumblingLoops), tumbling, general, generalPath], tumblingLoops);

  // the same data preloaded into an array first: both sides skip generation
  const preloaded = [...events(N)];
  const preloadedLoops = await loops(TUMBLING, () => preloaded, 10_000, 10_000, N);
  const preloadedSource = new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < preloaded.length && !s.closed; i++) s.next(preloaded[i]!);
    s.complete();
  });
  const preloadedTm = await tidemark(TUMBLING, 'tidemark tumblingEventWindow(10 s), preloaded', N, (sum) =>
    preloadedSource.pipe(tumblingEventWindow(10_000, { aggregate: windowCount(), metrics }), values()).subscribe((c) => sum.add(c)),
  );
  report('keyed tumbling event-time count, input preloaded in memory (target >= 0.33x the loop)', [...Object.values(preloadedLoops), preloadedTm], preloadedLoops);
  preloaded.length = 0;
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);

  const slidingSource = sourceOf(SLIDING_N);
  const slidingLoops = await loops(SLIDING, () => events(SLIDING_N), 10_000, 1_000, SLIDING_N, 1);
  const sliding = await tidemark(SLIDING, 'tidemark slidingEventWindow(10 s, 1 s) windowCount()', SLIDING_N, (sum) =>
    slidingSource.pipe(slidingEventWindow(10_000, 1_000, { aggregate: windowCount(), metrics }), values()).subscribe((c) => sum.add(c)), 1,
  );
  report('keyed sliding event-time count, size = 10 x slide (one accumulator per window)', [...Object.values(slidingLoops), sliding], slidingLoops);
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);
  const sessionLoopRun = await measure('hand-written session loop', SLIDING_N, () => agree(SESSION, 'loop', sessionLoop(events(SLIDING_N), 500)), 1);
  const session = await tidemark(SESSION, 'tidemark sessionEventWindow(500 ms) windowCount()', SLIDING_N, (sum) =>
    slidingSource.pipe(sessionEventWindow(500, { aggregate: windowCount(), metrics }), values()).subscribe((c) => sum.add(c)), 1,
  );
  report('keyed event-time sessions, gap 500 ms, about one element per session and key', [sessionLoopRun, session], { loop: sessionLoopRun });
  console.log(`window state after all fired: ${windowStateSize(metrics)} windows; heap ${heapMiB().toFixed(0)} MiB`);
  // count windows (the general operator: a global window per key with a purging count trigger)
  const countLoop = await measure('hand-written loop, a count per key, fire at 100', SLIDING_N, () => {
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
    agree(COUNT, 'loop', sum);
  }, 1);
  const count = await tidemark(COUNT, 'tidemark countWindow(100) windowCount()', SLIDING_N, (sum) =>
    slidingSource.pipe(countWindow(100, undefined, { aggregate: windowCount(), metrics }), values()).subscribe((c) => sum.add(c)), 1,
  );
  report('keyed count windows of 100 elements (the general operator)', [countLoop, count], { loop: countLoop });
  // memory per key and window: open one window for each of K keys (no watermark, so none fires) and
  // measure the heap growth, for the table operator and for the general operator
  const K = Math.min(200_000, N);
  const memory = (label: string, op: OperatorFunction<StreamElement<number>, unknown>): void => {
    const live = new Subject<StreamElement<number>>();
    const subscription = live.pipe(op).subscribe();
    const before = heapMiB();
    for (let i = 0; i < K; i++) live.next(new StreamRecord(1, 5, `key${i}`));
    const after = heapMiB();
    console.log(`${label}: ${(((after - before) * 2 ** 20) / K).toFixed(0)} bytes per key and window (${K.toLocaleString()} keys)`);
    subscription.unsubscribe();
  };
  console.log('');
  memory('tumblingEventWindow windowCount() (table operator)', tumblingEventWindow(10_000, { aggregate: windowCount() }));
  memory('tumblingEventWindow windowCount() + user trigger (general operator)', tumblingEventWindow(10_000, { aggregate: windowCount(), trigger: userTrigger }));
  for (const [caseName, sum] of checks) console.log(`${caseName}: every side fired ${sum}`);
}

void main();
