/**
 * Foundation benchmark: the same records through
 *   - tidemark element-aware map -> filter (stateless chain) vs plain RxJS map -> filter;
 *   - tidemark map -> filter -> keyBy -> sum vs plain RxJS map -> filter -> groupBy -> mergeMap(scan)
 *     vs a hand-written loop with a Map (a new object per output, as sum emits), at 10k keys and at 1k,
 *     100k and 1M keys, with bytes per key of each side's state.
 * Every side's outputs are summed and compared.
 * Run: npm run bench -- --only foundation [--size 1M]
 */
import { filter as rxFilter, groupBy, map as rxMap, mergeMap, Observable, scan } from 'rxjs';
import { filter, keyBy, map, sum, values } from '../lib/index';
import { benchSize, compare, heapMiB, keyScales, newSum, rng, type Sum } from './harness';

interface In {
  k: string;
  v: number;
}
interface Out {
  k: string;
  v: number;
}

const N = benchSize(10_000_000);
const KEYS = 10_000;
const MEM_KEYS = Math.min(1_000_000, N);

/** N records over `keyCount` keys, values 0..99. */
function makeData(keyCount: number): In[] {
  const random = rng(1);
  const keyNames = Array.from({ length: keyCount }, (_, i) => `key-${i}`);
  return Array.from({ length: N }, () => ({ k: keyNames[Math.floor(random() * keyCount)]!, v: Math.floor(random() * 100) }));
}

/** A synchronous source over `data`, completing at its end unless `open`. */
const sourceOf = (data: readonly In[], open = false) =>
  new Observable<In>((s) => {
    for (let i = 0; i < data.length && !s.closed; i++) s.next(data[i]!);
    if (!open) s.complete();
  });

const drain = (o: Observable<Out>, sum: Sum) =>
  o.subscribe((x) => {
    sum.n++;
    sum.total += x.v;
  });
const done = (o: Observable<Out>): Sum => {
  const sum = newSum();
  drain(o, sum);
  return sum;
};

const project = (x: In): Out => ({ k: x.k, v: x.v * 2 });
const keep = (x: Out): boolean => x.v % 3 !== 0;

/** The hand loop of keyBy -> sum: per key the first record and the running sum, a new object per output. */
function loopSum(data: readonly In[], s: Sum): Map<string, { first: Out; acc: number }> {
  const states = new Map<string, { first: Out; acc: number }>();
  for (let i = 0; i < data.length; i++) {
    const o = project(data[i]!);
    if (!keep(o)) continue;
    const st = states.get(o.k);
    let out: Out;
    if (st === undefined) {
      states.set(o.k, { first: o, acc: o.v });
      out = o;
    } else {
      st.acc += o.v;
      out = { ...st.first, v: st.acc };
    }
    s.n++;
    s.total += out.v;
  }
  return states;
}

const tmSum = (source: Observable<In>, s: Sum) => drain(source.pipe(map(project), filter(keep), keyBy((x: Out) => x.k), sum('v'), values()), s);

/** The keyed rolling sum over `keyCount` keys: loop, (plain RxJS), tidemark, with memory per key. */
async function keyedCase(keyCount: number, title: string, withRx: boolean): Promise<void> {
  const data = makeData(keyCount);
  const source = sourceOf(data);
  const memData = Array.from({ length: MEM_KEYS }, (_, i): In => ({ k: `m${i}`, v: 1 }));
  const memSource = sourceOf(memData, true);
  const loop = 'hand-written loop (Map, copy per output)';
  await compare(title, {
    events: N,
    keys: keyCount,
    memoryKeys: MEM_KEYS,
    baselines: withRx ? [loop, 'plain RxJS'] : [loop],
    sides: [
      {
        label: loop,
        run: () => {
          const s = newSum();
          loopSum(data, s);
          return s;
        },
        hold: () => loopSum(memData, newSum()),
      },
      ...(withRx
        ? [
            {
              label: 'plain RxJS',
              run: () =>
                done(
                  source.pipe(
                    rxMap(project),
                    rxFilter(keep),
                    groupBy((x) => x.k),
                    mergeMap((g) => g.pipe(scan((acc, x) => ({ ...acc, v: acc.v + x.v })))),
                  ),
                ),
            },
          ]
        : []),
      {
        label: 'tidemark map -> filter -> keyBy -> sum',
        run: () => {
          const s = newSum();
          tmSum(source, s);
          return s;
        },
        hold: () => tmSum(memSource, newSum()),
      },
    ],
  });
}

async function main(): Promise<void> {
  const data = makeData(KEYS);
  console.log(`${N.toLocaleString('en-US')} records, ${KEYS.toLocaleString('en-US')} keys, heap ${heapMiB().toFixed(0)} MiB`);
  const source = sourceOf(data);
  await compare('stateless chain (target >= 0.60x plain RxJS)', {
    events: N,
    sides: [
      { label: 'plain RxJS map -> filter', run: () => done(source.pipe(rxMap(project), rxFilter(keep))) },
      { label: 'tidemark map -> filter -> values', run: () => done(source.pipe(map(project), filter(keep), values())) },
    ],
  });
  data.length = 0;
  await keyedCase(KEYS, 'keyed rolling sum (keyBy -> sum)', true);
  for (const k of keyScales(N)) await keyedCase(k, `keyBy -> sum at ${k.toLocaleString('en-US')} keys`, false);
}

void main();
