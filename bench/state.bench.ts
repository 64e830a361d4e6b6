/**
 * State benchmark: keyedProcess with a ValueState counter per key over 10M events against a hand-written
 * Map loop (ratio); one event-time timer per record against a hand-written timer loop (ratio); memory
 * per key of ValueState.
 * Run: npm run bench -- --only state [--size 1M]
 */
import { Observable } from 'rxjs';
import { keyedProcess, StreamRecord, ValueStateDescriptor, Watermark, type StreamElement, type ValueState } from '../lib/index';
import { benchSize, heapMiB, measure, MinHeapBy, report, rng } from './harness';

const N = benchSize(10_000_000);
const KEYS = 10_000;
const random = rng(9);
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
const input: StreamElement<number>[] = [];
for (let i = 0; i < N; i++) {
  input.push(new StreamRecord(1, Math.floor(i / 10), keys[Math.floor(random() * KEYS)]!));
  if (i % 1000 === 999) input.push(new Watermark(Math.floor(i / 10) - 100));
}
input.push(Watermark.MAX);
console.log(`${N.toLocaleString()} events, ${KEYS.toLocaleString()} keys, heap ${heapMiB().toFixed(0)} MiB`);

const source = new Observable<StreamElement<number>>((s) => {
  for (let i = 0; i < input.length && !s.closed; i++) s.next(input[i]!);
  s.complete();
});
let sink = 0;

async function main(): Promise<void> {
  const loop = await measure('hand-written loop: Map counter per key', N, () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < input.length; i++) {
      const el = input[i]!;
      if (!(el instanceof StreamRecord)) continue;
      const k = el.key as string;
      const c = (counts.get(k) ?? 0) + el.value;
      counts.set(k, c);
      sink += c & 1;
    }
  });
  const counter = await measure('tidemark keyedProcess + ValueState counter', N, () => {
    let count!: ValueState<number>;
    source
      .pipe(
        keyedProcess<string, number, number>({
          open(ctx) {
            count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
          },
          processElement(v, _ctx, out) {
            const c = count.value()! + v;
            count.update(c);
            out.collect(c);
          },
        }),
      )
      .subscribe(() => sink++);
  });
  report('keyed counter (ValueState vs Map)', [loop, counter], { loop });

  const timers = await measure('tidemark keyedProcess, one timer per record', N, () => {
    source
      .pipe(
        keyedProcess<string, number, number>({
          processElement(_v, ctx) {
            ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 50);
          },
          onTimer(t, _ctx, out) {
            out.collect(t);
          },
        }),
      )
      .subscribe(() => sink++);
  }, 1);
  // the same by hand: per key the set of its timer times, per time the keys due, and a heap of times
  const timerLoop = await measure('hand-written loop: timers by key, time buckets, heap', N, () => {
    const byKey = new Map<string, Set<number>>();
    const byTime = new Map<number, string[]>();
    const heap = new MinHeapBy<number>((t) => t);
    for (let i = 0; i < input.length; i++) {
      const el = input[i]!;
      if (el instanceof StreamRecord) {
        const k = el.key as string;
        const t = el.timestamp! + 50;
        let ts = byKey.get(k);
        if (ts === undefined) byKey.set(k, (ts = new Set()));
        if (ts.has(t)) continue;
        ts.add(t);
        let due = byTime.get(t);
        if (due === undefined) {
          byTime.set(t, (due = []));
          heap.push(t);
        }
        due.push(k);
      } else if (el instanceof Watermark) {
        while (heap.length > 0 && heap.peek()! <= el.time) {
          const t = heap.pop();
          for (const k of byTime.get(t)!) {
            const ts = byKey.get(k)!;
            ts.delete(t);
            if (ts.size === 0) byKey.delete(k);
            sink += t & 1;
          }
          byTime.delete(t);
        }
      }
    }
  }, 1);
  report('one event-time timer per record', [timerLoop, timers], { loop: timerLoop });

  // memory per key: fill 1M keys once and measure the heap growth
  const K = Math.min(1_000_000, N);
  const before = heapMiB();
  let count!: ValueState<number>;
  const hold: unknown[] = [];
  new Observable<StreamElement<number>>((s) => {
    for (let i = 0; i < K; i++) s.next(new StreamRecord(i, 0, i));
  })
    .pipe(
      keyedProcess<number, number, number>({
        open(ctx) {
          count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
          hold.push(ctx);
        },
        processElement(v) {
          count.update(v);
        },
      }),
    )
    .subscribe();
  const after = heapMiB();
  console.log(`\nValueState<number> memory per key: ${(((after - before) * 2 ** 20) / K).toFixed(0)} bytes (${K.toLocaleString()} keys, heap ${after.toFixed(0)} MiB) (sink ${sink}, held ${hold.length})`);
}

void main();
