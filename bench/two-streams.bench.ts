/**
 * Two-stream benchmark: `connect` + `coMap` against RxJS `merge` of two mapped streams, and a keyed
 * `coProcess` with a ValueState counter per key shared by both inputs, and a `keyedBroadcastProcess`
 * reading a rule from broadcast state, against hand-written Map loops on the same data in the same run.
 * Prints M events/s (both inputs counted) and the ratios.
 * Run: npm run bench -- --only two-streams [--size 100k]   (size = events per side)
 */
import { map as rxMap, merge, Observable } from 'rxjs';
import {
  broadcast,
  coMap,
  connect,
  coProcess,
  keyedBroadcastProcess,
  MapStateDescriptor,
  StreamRecord,
  ValueStateDescriptor,
  type CoProcessFunction,
  type KeyedBroadcastProcessFunction,
  type StreamElement,
  type ValueState,
} from '../lib/index';
import { benchSize, heapMiB, measure, report, rng } from './harness';

const N = benchSize(1_000_000);
const KEYS = 10_000;
const random = rng(11);
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
const plainLeft = Array.from({ length: N }, (_, i) => i);
const plainRight = Array.from({ length: N }, (_, i) => -i);
const keyedSide = (): StreamRecord<number>[] =>
  Array.from({ length: N }, (_, i) => {
    const k = Math.floor(random() * KEYS);
    return new StreamRecord(k, i, keys[k]!);
  });
const keyedLeft = keyedSide();
const keyedRight = keyedSide();
const rules = Array.from({ length: Math.max(1, Math.floor(N / 10_000)) }, (_, i) => i % 100);
console.log(`${N.toLocaleString()} events per side, ${KEYS.toLocaleString()} keys, heap ${heapMiB().toFixed(0)} MiB`);

/** Two inputs emitting `a` and `b` interleaved in chunks of 1000, as two live inputs would arrive. */
function sources<A, B>(a: readonly A[], b: readonly B[]): [Observable<A>, Observable<B>] {
  const feeds: Array<(e: unknown) => void> = [];
  const ends: Array<() => void> = [];
  let subscribed = 0;
  const make = <T>(i: number) =>
    new Observable<T>((s) => {
      feeds[i] = (e) => s.next(e as T);
      ends[i] = () => s.complete();
      if (++subscribed === 2) {
        const chunk = Math.max(1, Math.floor((1000 * b.length) / Math.max(1, a.length)));
        let j = 0;
        for (let at = 0; at < a.length; at += 1000) {
          for (let x = at; x < Math.min(at + 1000, a.length); x++) feeds[0]!(a[x]!);
          for (const end = Math.min(j + chunk, b.length); j < end; j++) feeds[1]!(b[j]!);
        }
        for (; j < b.length; j++) feeds[1]!(b[j]!);
        ends[0]!();
        ends[1]!();
      }
    });
  return [make<A>(0), make<B>(1)];
}

let sink = 0;
const run = (o: Observable<unknown>): Promise<void> =>
  new Promise((resolve, reject) => o.subscribe({ next: () => void sink++, error: reject, complete: resolve }));

// 1. coMap vs merge
const loopMap = (): void => {
  for (let i = 0; i < N; i++) sink += plainLeft[i]! + 1;
  for (let i = 0; i < N; i++) sink += plainRight[i]! - 1;
};
const rxMerge = (): Promise<void> => {
  const [a, b] = sources(plainLeft, plainRight);
  return run(merge(a.pipe(rxMap((x) => x + 1)), b.pipe(rxMap((x) => x - 1))));
};
const tmCoMap = (): Promise<void> => {
  const [a, b] = sources(plainLeft, plainRight);
  return run(a.pipe(connect(b), coMap((x: number) => x + 1, (x: number) => x - 1)));
};
const m1 = [await measure('hand-written loop', 2 * N, loopMap), await measure('rxjs merge(map, map)', 2 * N, rxMerge), await measure('connect + coMap', 2 * N, tmCoMap)];
report('coMap over two plain streams', m1, { loop: m1[0]!, merge: m1[1]! });

// 2. keyed coProcess with a shared counter per key
const loopCount = (): void => {
  const counts = new Map<string, number>();
  const step = (r: StreamRecord<number>, d: number): void => {
    const k = r.key as string;
    const c = (counts.get(k) ?? 0) + d;
    counts.set(k, c);
    sink += c;
  };
  for (let at = 0; at < N; at += 1000) {
    for (let i = at; i < Math.min(at + 1000, N); i++) step(keyedLeft[i]!, 1);
    for (let i = at; i < Math.min(at + 1000, N); i++) step(keyedRight[i]!, -1);
  }
};
const counter = (): CoProcessFunction<number, number, number> & { n?: ValueState<number> } => ({
  open(ctx) {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n', 0));
  },
  processElement1(_v, _ctx, out) {
    const c = this.n!.value()! + 1;
    this.n!.update(c);
    out.collect(c);
  },
  processElement2(_v, _ctx, out) {
    const c = this.n!.value()! - 1;
    this.n!.update(c);
    out.collect(c);
  },
});
const tmCoProcess = (): Promise<void> => {
  const [a, b] = sources<StreamElement<number>, StreamElement<number>>(keyedLeft, keyedRight);
  return run(a.pipe(connect(b), coProcess(counter())));
};
const m2 = [await measure('hand-written Map loop', 2 * N, loopCount), await measure('connect + coProcess (ValueState per key)', 2 * N, tmCoProcess)];
report('keyed coProcess, a counter per key shared by both inputs', m2, { loop: m2[0]! });

// 3. keyedBroadcastProcess: each reading compared with the current limit
const limitDesc = new MapStateDescriptor<string, number>('limit');
const loopBroadcast = (): void => {
  let limit: number | undefined;
  const chunk = Math.max(1, Math.floor((1000 * rules.length) / N));
  let j = 0;
  for (let at = 0; at < N; at += 1000) {
    for (let i = at; i < Math.min(at + 1000, N); i++) if (limit !== undefined && keyedLeft[i]!.value % 100 > limit) sink++;
    for (const end = Math.min(j + chunk, rules.length); j < end; j++) limit = rules[j]!;
  }
};
const alerter: KeyedBroadcastProcessFunction<string, number, number, number> = {
  processBroadcastElement: (l, ctx) => ctx.getBroadcastState(limitDesc).put('limit', l),
  processElement: (v, ctx, out) => {
    const l = ctx.getBroadcastState(limitDesc).get('limit');
    if (l !== undefined && v % 100 > l) out.collect(v);
  },
};
const tmBroadcast = (): Promise<void> => {
  const [a, b] = sources<StreamElement<number>, number>(keyedLeft, rules);
  return run(a.pipe(connect(b.pipe(broadcast<number>(limitDesc))), keyedBroadcastProcess(alerter)));
};
const m3 = [await measure('hand-written loop', N, loopBroadcast), await measure('connect(broadcast) + keyedBroadcastProcess', N, tmBroadcast)];
report('keyedBroadcastProcess reading a limit from broadcast state', m3, { loop: m3[0]! });
if (sink === 42) console.log('');
