/**
 * State benchmark: keyedProcess with a ValueState counter per key against a hand-written Map loop, at
 * 10k keys and at 1k, 100k and 1M keys; one event-time timer per record against a hand-written timer
 * loop (a key's single timer held inline, a Set only for a second one, time buckets, a heap of times);
 * bytes per key of each side's state.
 * Run: npm run bench -- --only state [--size 1M]
 */
import { Observable } from 'rxjs';
import { keyedProcess, StreamRecord, ValueStateDescriptor, Watermark, type StreamElement, type ValueState } from '../lib/index';
import { benchSize, compare, keyScales, MinHeapBy, newSum, rng, type Sum } from './harness';

const N = benchSize(10_000_000);
const KEYS = 10_000;
/** Keys of the memory figures. */
const MEM_KEYS = Math.min(1_000_000, N);

/** N records of value 1 over `keyCount` keys (strings), ten per ms, a watermark 100 ms behind every 1000. */
function makeInput(keyCount: number, seed: number): StreamElement<number, string>[] {
  const random = rng(seed);
  const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
  const input: StreamElement<number, string>[] = [];
  for (let i = 0; i < N; i++) {
    input.push(new StreamRecord(1, Math.floor(i / 10), keys[Math.floor(random() * keyCount)]!));
    if (i % 1000 === 999) input.push(new Watermark(Math.floor(i / 10) - 100));
  }
  input.push(Watermark.MAX);
  return input;
}

/** A source over `input`, completing at its end unless `open` (then the subscription holds the state). */
const sourceOf = (input: readonly StreamElement<number, string>[], open = false) =>
  new Observable<StreamElement<number, string>>((s) => {
    for (let i = 0; i < input.length && !s.closed; i++) s.next(input[i]!);
    if (!open) s.complete();
  });

/** One record per key, keys `m0`..: the input of the memory figures (kept by the caller for both sides). */
const memInput: StreamElement<number, string>[] = Array.from({ length: MEM_KEYS }, (_, i) => new StreamRecord(1, 0, `m${i}`));


function loopCounter(input: readonly StreamElement<number, string>[], sum: Sum): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < input.length; i++) {
    const el = input[i]!;
    if (!(el instanceof StreamRecord)) continue;
    const k = el.key as string;
    const c = (counts.get(k) ?? 0) + el.value;
    counts.set(k, c);
    sum.n++;
    sum.total += c;
  }
  return counts;
}

function tidemarkCounter(source: Observable<StreamElement<number, string>>, sum: Sum) {
  let count!: ValueState<number>;
  return source
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
    .subscribe((e) => {
      if (e instanceof StreamRecord) {
        sum.n++;
        sum.total += e.value;
      }
    });
}

async function counterCase(keyCount: number, title: string): Promise<void> {
  const input = makeInput(keyCount, 9);
  const source = sourceOf(input);
  const memSource = sourceOf(memInput, true);
  await compare(title, {
    events: N,
    keys: keyCount,
    memoryKeys: MEM_KEYS,
    sides: [
      {
        label: 'hand-written loop: Map counter per key',
        run: () => {
          const sum = newSum();
          loopCounter(input, sum);
          return sum;
        },
        hold: () => loopCounter(memInput, newSum()),
      },
      {
        label: 'tidemark keyedProcess + ValueState counter',
        run: () => {
          const sum = newSum();
          tidemarkCounter(source, sum);
          return sum;
        },
        hold: () => tidemarkCounter(memSource, newSum()),
      },
    ],
  });
}

/**
 * The timer loop: per key its timer time held inline (a Set only when it has a second one), per time the
 * keys due, a heap of times. Fires when the watermark reaches a time, in time order.
 */
function loopTimers(input: readonly StreamElement<number, string>[], sum: Sum): unknown {
  const byKey = new Map<string, number | Set<number>>();
  const byTime = new Map<number, string[]>();
  const heap = new MinHeapBy<number>((t) => t);
  for (let i = 0; i < input.length; i++) {
    const el = input[i]!;
    if (el instanceof StreamRecord) {
      const k = el.key as string;
      const t = el.timestamp! + 50;
      const held = byKey.get(k);
      if (held === undefined) byKey.set(k, t);
      else if (typeof held === 'number') {
        if (held === t) continue;
        byKey.set(k, new Set([held, t]));
      } else {
        if (held.has(t)) continue;
        held.add(t);
      }
      let due = byTime.get(t);
      if (due === undefined) {
        byTime.set(t, (due = []));
        heap.push(t);
      }
      due.push(k);
    } else if (el instanceof Watermark) {
      while (heap.length > 0 && heap.peek()! <= el.time) {
        const t = heap.pop();
        const due = byTime.get(t)!;
        byTime.delete(t);
        for (let j = 0; j < due.length; j++) {
          const k = due[j]!;
          const held = byKey.get(k)!;
          if (typeof held === 'number') byKey.delete(k);
          else {
            held.delete(t);
            if (held.size === 1) byKey.set(k, held.values().next().value!);
          }
          sum.n++;
          sum.total += t;
        }
      }
    }
  }
  return [byKey, byTime, heap];
}

function tidemarkTimers(source: Observable<StreamElement<number, string>>, sum: Sum) {
  return source
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
    .subscribe((e) => {
      if (e instanceof StreamRecord) {
        sum.n++;
        sum.total += e.value;
      }
    });
}

async function main(): Promise<void> {
  await counterCase(KEYS, 'keyed counter (ValueState vs Map)');

  const input = makeInput(KEYS, 9);
  const source = sourceOf(input);
  const memSource = sourceOf(memInput, true);
  await compare('one event-time timer per record', {
    events: N,
    keys: KEYS,
    memoryKeys: MEM_KEYS,
    sides: [
      {
        label: 'hand-written loop: one timer inline per key, heap',
        run: () => {
          const sum = newSum();
          loopTimers(input, sum);
          return sum;
        },
        hold: () => loopTimers(memInput, newSum()),
      },
      {
        label: 'tidemark keyedProcess, one timer per record',
        run: () => {
          const sum = newSum();
          tidemarkTimers(source, sum);
          return sum;
        },
        hold: () => tidemarkTimers(memSource, newSum()),
      },
    ],
  });
  input.length = 0;

  for (const k of keyScales(N)) await counterCase(k, `keyed counter at ${k.toLocaleString('en-US')} keys`);
}

void main();
