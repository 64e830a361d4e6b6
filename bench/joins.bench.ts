/**
 * Joins benchmark: an interval join of two 1M-event streams over 10k keys, and a tumbling window join,
 * against hand-written loops on the same data in the same run: the interval join against a loop over
 * time-ordered buffers per key, the window join against a loop keeping a Map per window (numeric window
 * start) of Maps per key (numeric). Prints M events/s (both inputs counted), the ratios, bytes per key of
 * the buffered state, and checks that both sides produced the same pairs (count and sum).
 * Run: npm run bench -- --only joins [--size 100k]   (size = events per side)
 */
import { Observable } from 'rxjs';
import { intervalJoin, StreamRecord, TumblingEventTimeWindows, Watermark, windowJoin, type StreamElement } from '../lib/index';
import { benchSize, compare, newSum, rng, type Sum } from './harness';

const N = benchSize(1_000_000);
const KEYS = 10_000;
const LOWER = -20;
const UPPER = 20;
const WINDOW = 1000;
const MEM_KEYS = Math.min(200_000, N);
const random = rng(5);
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

/** One side: values are the key's number, keys its name, ten per ms, a watermark 100 ms behind every 1000. */
function side(): StreamElement<number>[] {
  const out: StreamElement<number>[] = [];
  for (let i = 0; i < N; i++) {
    const k = Math.floor(random() * KEYS);
    out.push(new StreamRecord(k, Math.floor(i / 10), keys[k]!));
    if (i % 1000 === 999) out.push(new Watermark(Math.floor(i / 10) - 100));
  }
  out.push(Watermark.MAX);
  return out;
}
const left = side();
const right = side();
/** The memory input: one record per key on each side (keys `m0`..), no watermark, so everything stays buffered. */
const memLeft: StreamElement<number>[] = Array.from({ length: MEM_KEYS }, (_, i) => new StreamRecord(i, 0, `m${i}`));
const memRight: StreamElement<number>[] = Array.from({ length: MEM_KEYS }, (_, i) => new StreamRecord(i, 100_000, `m${i}`));
console.log(`${N.toLocaleString('en-US')} events per side, ${KEYS.toLocaleString('en-US')} keys`);

/** Feeds `l` and `r` interleaved in chunks of 1000 to `feed`, as two live inputs would arrive. */
function interleave(l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], feed: (el: StreamElement<number>, isLeft: boolean) => void): void {
  const n = Math.max(l.length, r.length);
  for (let at = 0; at < n; at += 1000) {
    for (let j = at; j < Math.min(at + 1000, l.length); j++) feed(l[j]!, true);
    for (let j = at; j < Math.min(at + 1000, r.length); j++) feed(r[j]!, false);
  }
}

/** Two sources emitting `l` and `r` interleaved (completing at the end unless `open`). */
function sources(l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], open = false): [Observable<StreamElement<number>>, Observable<StreamElement<number>>] {
  const feeds: Array<(e: StreamElement<number>) => void> = [];
  const ends: Array<() => void> = [];
  let subscribed = 0;
  const make = (i: number) =>
    new Observable<StreamElement<number>>((s) => {
      feeds[i] = (e) => s.next(e);
      ends[i] = () => s.complete();
      if (++subscribed === 2) {
        interleave(l, r, (el, isLeft) => feeds[isLeft ? 0 : 1]!(el));
        if (!open) {
          ends[0]!();
          ends[1]!();
        }
      }
    });
  return [make(0), make(1)];
}

const drain = (o: Observable<StreamElement<number>>, sum: Sum) =>
  o.subscribe((e) => {
    if (e instanceof StreamRecord) {
      sum.n++;
      sum.total += e.value;
    }
  });

/**
 * The interval join by hand: per key a time-ordered buffer per side; a record is matched against the other
 * side's buffer of its key; on each watermark, entries that can no longer match are dropped. A pair's
 * result is right timestamp - left timestamp.
 */
function loopIntervalJoin(l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum): unknown {
  const bufL = new Map<string, Array<{ ts: number; v: number }>>();
  const bufR = new Map<string, Array<{ ts: number; v: number }>>();
  let wmL = -Infinity;
  let wmR = -Infinity;
  const prune = (): void => {
    const w = Math.min(wmL, wmR);
    for (const [k, list] of bufL) {
      const kept = list.filter((e) => e.ts + UPPER >= w);
      if (kept.length === 0) bufL.delete(k);
      else bufL.set(k, kept);
    }
    for (const [k, list] of bufR) {
      const kept = list.filter((e) => e.ts - LOWER >= w);
      if (kept.length === 0) bufR.delete(k);
      else bufR.set(k, kept);
    }
  };
  interleave(l, r, (el, isLeft) => {
    const mine = isLeft ? bufL : bufR;
    const theirs = isLeft ? bufR : bufL;
    if (el instanceof StreamRecord) {
      const k = el.key as string;
      const ts = el.timestamp!;
      let list = mine.get(k);
      if (list === undefined) mine.set(k, (list = []));
      list.push({ ts, v: el.value });
      const other = theirs.get(k);
      if (other !== undefined) {
        for (const o of other) {
          const d = isLeft ? o.ts - ts : ts - o.ts;
          if (d >= LOWER && d <= UPPER) {
            sum.n++;
            sum.total += d;
          }
        }
      }
    } else if (el instanceof Watermark) {
      if (isLeft) wmL = el.time;
      else wmR = el.time;
      prune();
    }
  });
  return [bufL, bufR];
}

const tmIntervalJoin = (l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum, open = false) => {
  const [a, b] = sources(l, r, open);
  return drain(
    a.pipe(intervalJoin(b, { between: [LOWER, UPPER], process: (_a: number, _b: number, ctx, out) => out.collect(ctx.getRightTimestamp() - ctx.getLeftTimestamp()) })),
    sum,
  );
};

/** A window's elements of one key, per side. */
interface Group {
  l: number[];
  r: number[];
}

/**
 * The tumbling window join by hand: per window start (a number) a Map from key (the value, a number) to
 * both sides' elements, the window starts in order; when the smaller watermark passes a window's end - 1,
 * every key's pairs are emitted (result: left + right) and the window dropped.
 */
function loopWindowJoin(l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum): unknown {
  const wins = new Map<number, Map<number, Group>>();
  const starts: number[] = [];
  let wmL = -Infinity;
  let wmR = -Infinity;
  interleave(l, r, (el, isLeft) => {
    if (el instanceof StreamRecord) {
      const ts = el.timestamp!;
      const start = ts - (ts % WINDOW);
      let byKey = wins.get(start);
      if (byKey === undefined) {
        wins.set(start, (byKey = new Map()));
        let i = starts.length;
        while (i > 0 && starts[i - 1]! > start) i--;
        starts.splice(i, 0, start);
      }
      const k = el.value;
      let g = byKey.get(k);
      if (g === undefined) byKey.set(k, (g = { l: [], r: [] }));
      (isLeft ? g.l : g.r).push(el.value);
    } else if (el instanceof Watermark) {
      if (isLeft) wmL = el.time;
      else wmR = el.time;
      const w = Math.min(wmL, wmR);
      while (starts.length > 0 && starts[0]! + WINDOW - 1 <= w) {
        const start = starts.shift()!;
        for (const g of wins.get(start)!.values()) {
          for (let i = 0; i < g.l.length; i++) {
            for (let j = 0; j < g.r.length; j++) {
              sum.n++;
              sum.total += g.l[i]! + g.r[j]!;
            }
          }
        }
        wins.delete(start);
      }
    }
  });
  return wins;
}

const tmWindowJoin = (l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum, open = false) => {
  const [a, b] = sources(l, r, open);
  return drain(
    a.pipe(windowJoin(b, { where: (x: number) => x, equalTo: (x: number) => x, window: TumblingEventTimeWindows.of(WINDOW), apply: (x: number, y: number) => x + y })),
    sum,
  );
};

const run = (f: (l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum) => unknown) => () => {
  const sum = newSum();
  f(left, right, sum);
  return sum;
};

async function main(): Promise<void> {
  await compare(`interval join [${LOWER}, ${UPPER}], two streams`, {
    events: 2 * N,
    keys: KEYS,
    memoryKeys: MEM_KEYS,
    sides: [
      { label: 'hand-written loop, time-ordered buffers per key', run: run(loopIntervalJoin), hold: () => loopIntervalJoin(memLeft, memRight, newSum()) },
      { label: 'tidemark intervalJoin', run: run(tmIntervalJoin), hold: () => tmIntervalJoin(memLeft, memRight, newSum(), true) },
    ],
  });
  await compare('tumbling window join 1 s (both keyed by the value)', {
    events: 2 * N,
    keys: KEYS,
    memoryKeys: MEM_KEYS,
    sides: [
      { label: 'hand-written loop, Map by window of Maps by key', run: run(loopWindowJoin), hold: () => loopWindowJoin(memLeft, memRight, newSum()) },
      { label: 'tidemark windowJoin', run: run(tmWindowJoin), hold: () => tmWindowJoin(memLeft, memRight, newSum(), true) },
    ],
  });
}

void main();
