/**
 * Two-stream benchmark: `connect` + `coMap` against RxJS `merge` of two mapped streams, and a keyed
 * `coProcess` with a ValueState counter per key shared by both inputs, and a `keyedBroadcastProcess`
 * reading a rule from broadcast state, against hand-written Map loops on the same data in the same run.
 * Prints M events/s (both inputs counted), the ratios, and bytes per key of the coProcess state; checks
 * that every side computed the same.
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
import { benchSize, compare, heapMiB, newSum, rng, type Sum } from './harness';

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

/**
 * Two inputs emitting `a` and `b` interleaved in chunks of 1000, as two live inputs would arrive; they
 * complete at the end unless `open` (then a subscription holds the operator's state).
 */
function sources<A, B>(a: readonly A[], b: readonly B[], open = false): [Observable<A>, Observable<B>] {
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
        if (!open) {
          ends[0]!();
          ends[1]!();
        }
      }
    });
  return [make<A>(0), make<B>(1)];
}

/** Subscribes, adding every output value (a record's value, or a plain value) to `sum`. */
const drain = (o: Observable<unknown>, sum: Sum) =>
  o.subscribe((e) => {
    const v = e instanceof StreamRecord ? (e.value as number) : typeof e === 'number' ? e : undefined;
    if (v !== undefined) {
      sum.n++;
      sum.total += v;
    }
  });
const done = (o: Observable<unknown>): Sum => {
  const sum = newSum();
  drain(o, sum);
  return sum;
};

// 1. coMap vs merge
const loopMap = (): Sum => {
  const sum = newSum();
  for (let at = 0; at < N; at += 1000) {
    for (let i = at; i < Math.min(at + 1000, N); i++) {
      sum.n++;
      sum.total += plainLeft[i]! + 1;
    }
    for (let i = at; i < Math.min(at + 1000, N); i++) {
      sum.n++;
      sum.total += plainRight[i]! - 1;
    }
  }
  return sum;
};
const rxMerge = (): Sum => {
  const [a, b] = sources(plainLeft, plainRight);
  return done(merge(a.pipe(rxMap((x) => x + 1)), b.pipe(rxMap((x) => x - 1))));
};
const tmCoMap = (): Sum => {
  const [a, b] = sources(plainLeft, plainRight);
  return done(a.pipe(connect(b), coMap((x: number) => x + 1, (x: number) => x - 1)));
};
await compare('coMap over two plain streams', {
  events: 2 * N,
  baselines: ['hand-written loop', 'rxjs merge(map, map)'],
  sides: [
    { label: 'hand-written loop', run: loopMap },
    { label: 'rxjs merge(map, map)', run: rxMerge },
    { label: 'connect + coMap', run: tmCoMap },
  ],
});

// 2. keyed coProcess with a shared counter per key
const MEM_KEYS = Math.min(1_000_000, N);
const memLeft = Array.from({ length: MEM_KEYS }, (_, i) => new StreamRecord(1, 0, `m${i}`));
const memRight: StreamRecord<number>[] = [];
const loopCount = (l: readonly StreamRecord<number>[], r: readonly StreamRecord<number>[], sum: Sum): Map<string, number> => {
  const counts = new Map<string, number>();
  const step = (rec: StreamRecord<number>, d: number): void => {
    const k = rec.key as string;
    const c = (counts.get(k) ?? 0) + d;
    counts.set(k, c);
    sum.n++;
    sum.total += c;
  };
  const n = Math.max(l.length, r.length);
  for (let at = 0; at < n; at += 1000) {
    for (let i = at; i < Math.min(at + 1000, l.length); i++) step(l[i]!, 1);
    for (let i = at; i < Math.min(at + 1000, r.length); i++) step(r[i]!, -1);
  }
  return counts;
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
const tmCoProcess = (l: readonly StreamElement<number>[], r: readonly StreamElement<number>[], sum: Sum, open = false) => {
  const [a, b] = sources<StreamElement<number>, StreamElement<number>>(l, r, open);
  return drain(a.pipe(connect(b), coProcess(counter())), sum);
};
await compare('keyed coProcess, a counter per key shared by both inputs', {
  events: 2 * N,
  keys: KEYS,
  memoryKeys: MEM_KEYS,
  sides: [
    {
      label: 'hand-written Map loop',
      run: () => {
        const sum = newSum();
        loopCount(keyedLeft, keyedRight, sum);
        return sum;
      },
      hold: () => loopCount(memLeft, memRight, newSum()),
    },
    {
      label: 'connect + coProcess (ValueState per key)',
      run: () => {
        const sum = newSum();
        tmCoProcess(keyedLeft, keyedRight, sum);
        return sum;
      },
      hold: () => tmCoProcess(memLeft, memRight, newSum(), true),
    },
  ],
});

// 3. keyedBroadcastProcess: each reading compared with the current limit (no per-key state: no memory figure)
const limitDesc = new MapStateDescriptor<string, number>('limit');
const loopBroadcast = (): Sum => {
  const sum = newSum();
  let limit: number | undefined;
  const chunk = Math.max(1, Math.floor((1000 * rules.length) / N));
  let j = 0;
  for (let at = 0; at < N; at += 1000) {
    for (let i = at; i < Math.min(at + 1000, N); i++) {
      const v = keyedLeft[i]!.value;
      if (limit !== undefined && v % 100 > limit) {
        sum.n++;
        sum.total += v;
      }
    }
    for (const end = Math.min(j + chunk, rules.length); j < end; j++) limit = rules[j]!;
  }
  return sum;
};
const alerter: KeyedBroadcastProcessFunction<string, number, number, number> = {
  processBroadcastElement: (l, ctx) => ctx.getBroadcastState(limitDesc).put('limit', l),
  processElement: (v, ctx, out) => {
    const l = ctx.getBroadcastState(limitDesc).get('limit');
    if (l !== undefined && v % 100 > l) out.collect(v);
  },
};
const tmBroadcast = (): Sum => {
  const [a, b] = sources<StreamElement<number>, number>(keyedLeft, rules);
  return done(a.pipe(connect(b.pipe(broadcast<number>(limitDesc))), keyedBroadcastProcess(alerter)));
};
await compare('keyedBroadcastProcess reading a limit from broadcast state', {
  events: N,
  keys: KEYS,
  sides: [
    { label: 'hand-written loop', run: loopBroadcast },
    { label: 'connect(broadcast) + keyedBroadcastProcess', run: tmBroadcast },
  ],
});
