/**
 * Joins benchmark: an interval join of two 1M-event streams over 10k keys, and a tumbling window join,
 * against hand-written loops on the same data in the same run. Prints M events/s (both inputs counted)
 * and the ratios.
 * Run: npm run bench -- --only joins [--size 100k]   (size = events per side)
 */
import { Observable } from 'rxjs';
import { intervalJoin, StreamRecord, TumblingEventTimeWindows, Watermark, windowJoin, type StreamElement } from '../lib/index';
import { benchSize, heapMiB, measure, report, rng } from './harness';

const N = benchSize(1_000_000);
const KEYS = 10_000;
const LOWER = -20;
const UPPER = 20;
const random = rng(5);
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

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
console.log(`${N.toLocaleString()} events per side, ${KEYS.toLocaleString()} keys, heap ${heapMiB().toFixed(0)} MiB`);

/** Emits the two sides interleaved in chunks of 1000, as two live inputs would arrive. */
function sources(): [Observable<StreamElement<number>>, Observable<StreamElement<number>>] {
  const feeds: Array<(e: StreamElement<number>) => void> = [];
  const ends: Array<() => void> = [];
  let subscribed = 0;
  const make = (i: number) =>
    new Observable<StreamElement<number>>((s) => {
      feeds[i] = (e) => s.next(e);
      ends[i] = () => s.complete();
      if (++subscribed === 2) {
        for (let at = 0; at < Math.max(left.length, right.length); at += 1000) {
          for (let j = at; j < Math.min(at + 1000, left.length); j++) feeds[0]!(left[j]!);
          for (let j = at; j < Math.min(at + 1000, right.length); j++) feeds[1]!(right[j]!);
        }
        ends[0]!();
        ends[1]!();
      }
    });
  return [make(0), make(1)];
}

let sink = 0;

function loopIntervalJoin(): void {
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
  const add = (el: StreamElement<number>, mine: typeof bufL, theirs: typeof bufL, isLeft: boolean): void => {
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
          if (d >= LOWER && d <= UPPER) sink++;
        }
      }
    } else if (el instanceof Watermark) {
      if (isLeft) wmL = el.time;
      else wmR = el.time;
      prune();
    }
  };
  for (let at = 0; at < Math.max(left.length, right.length); at += 1000) {
    for (let j = at; j < Math.min(at + 1000, left.length); j++) add(left[j]!, bufL, bufR, true);
    for (let j = at; j < Math.min(at + 1000, right.length); j++) add(right[j]!, bufR, bufL, false);
  }
}

function loopWindowJoin(size: number): void {
  const wins = new Map<string, { l: number[]; r: number[] }>();
  const ends = new Map<number, string[]>();
  let wmL = -Infinity;
  let wmR = -Infinity;
  const fire = (): void => {
    const w = Math.min(wmL, wmR);
    for (const [end, ks] of ends) {
      if (end - 1 > w) continue;
      for (const id of ks) {
        const g = wins.get(id)!;
        for (let i = 0; i < g.l.length; i++) for (let j = 0; j < g.r.length; j++) sink++;
        wins.delete(id);
      }
      ends.delete(end);
    }
  };
  const add = (el: StreamElement<number>, isLeft: boolean): void => {
    if (el instanceof StreamRecord) {
      const start = el.timestamp! - (el.timestamp! % size);
      const id = `${el.value}|${start}`;
      let g = wins.get(id);
      if (g === undefined) {
        wins.set(id, (g = { l: [], r: [] }));
        const list = ends.get(start + size);
        if (list === undefined) ends.set(start + size, [id]);
        else list.push(id);
      }
      (isLeft ? g.l : g.r).push(el.value);
    } else if (el instanceof Watermark) {
      if (isLeft) wmL = el.time;
      else wmR = el.time;
      fire();
    }
  };
  for (let at = 0; at < Math.max(left.length, right.length); at += 1000) {
    for (let j = at; j < Math.min(at + 1000, left.length); j++) add(left[j]!, true);
    for (let j = at; j < Math.min(at + 1000, right.length); j++) add(right[j]!, false);
  }
}

async function main(): Promise<void> {
  const events = 2 * N;
  const loopI = await measure('hand-written loop, interval join [-20, 20]', events, loopIntervalJoin, 2);
  const tmI = await measure('tidemark intervalJoin [-20, 20]', events, () => {
    const [l, r] = sources();
    l.pipe(intervalJoin(r, { between: [LOWER, UPPER], process: (_a: number, _b: number, _c, out) => out.collect(1) })).subscribe(() => sink++);
  }, 2);
  report('interval join, two streams', [loopI, tmI], { loop: loopI });

  const loopW = await measure('hand-written loop, tumbling window join 1 s', events, () => loopWindowJoin(1000), 2);
  const tmW = await measure('tidemark windowJoin tumbling 1 s', events, () => {
    const [l, r] = sources();
    l.pipe(
      windowJoin(r, { where: (x: number) => x, equalTo: (x: number) => x, window: TumblingEventTimeWindows.of(1000), apply: () => 1 }),
    ).subscribe(() => sink++);
  }, 2);
  report('tumbling window join (both keyed by the value)', [loopW, tmW], { loop: loopW });
  console.log(`\n(sink ${sink}) heap ${heapMiB().toFixed(0)} MiB`);
}

void main();
