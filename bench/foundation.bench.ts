/**
 * Foundation benchmark: the same records through
 *   - tidemark element-aware map -> filter (stateless chain) vs plain RxJS map -> filter;
 *   - tidemark map -> filter -> keyBy -> sum vs plain RxJS map -> filter -> groupBy -> mergeMap(scan)
 *     vs a hand-written loop with a Map.
 * Targets: the stateless chain >= 0.60x plain RxJS; keyBy -> sum >= 0.33x the hand-written loop.
 * Run: npm run bench -- --only foundation [--size 1M]
 */
import { filter as rxFilter, groupBy, map as rxMap, mergeMap, Observable, scan } from 'rxjs';
import { filter, keyBy, map, sum, values } from '../lib/index';
import { benchSize, heapMiB, measure, report, rng } from './harness';

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
const random = rng(1);
const keyNames = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
const data: In[] = Array.from({ length: N }, () => ({ k: keyNames[Math.floor(random() * KEYS)]!, v: Math.floor(random() * 100) }));
console.log(`${N.toLocaleString()} records, ${KEYS.toLocaleString()} keys, heap ${heapMiB().toFixed(0)} MiB`);

/** A synchronous source over the shared array (the same for every case). */
const source = new Observable<In>((s) => {
  for (let i = 0; i < data.length && !s.closed; i++) s.next(data[i]!);
  s.complete();
});

let sink = 0;
const count = (): void => {
  sink++;
};
function drain(o: Observable<unknown>): void {
  o.subscribe({ next: count });
}

const project = (x: In): Out => ({ k: x.k, v: x.v * 2 });
const keep = (x: Out): boolean => x.v % 3 !== 0;

async function main(): Promise<void> {
  const plainStateless = await measure('plain RxJS map -> filter', N, () => drain(source.pipe(rxMap(project), rxFilter(keep))));
  const tmStateless = await measure('tidemark map -> filter -> values', N, () => drain(source.pipe(map(project), filter(keep), values())));
  report('stateless chain (target >= 0.60x plain RxJS)', [plainStateless, tmStateless], { 'plain RxJS': plainStateless });

  const loop = await measure('hand-written loop (Map, copy per output)', N, () => {
    const states = new Map<string, { first: Out; acc: number }>();
    for (let i = 0; i < data.length; i++) {
      const o = project(data[i]!);
      if (!keep(o)) continue;
      const s = states.get(o.k);
      if (s === undefined) {
        states.set(o.k, { first: o, acc: o.v });
        count();
      } else {
        s.acc += o.v;
        const out = { ...s.first, v: s.acc };
        if (out.v < 0) throw new Error('unreachable');
        count();
      }
    }
  });
  const plainKeyed = await measure('plain RxJS map -> filter -> groupBy -> scan', N, () =>
    drain(
      source.pipe(
        rxMap(project),
        rxFilter(keep),
        groupBy((x) => x.k),
        mergeMap((g) => g.pipe(scan((acc, x) => ({ ...acc, v: acc.v + x.v })))),
      ),
    ),
  );
  const tmKeyed = await measure('tidemark map -> filter -> keyBy -> sum', N, () =>
    drain(source.pipe(map(project), filter(keep), keyBy((x: Out) => x.k), sum('v'), values())),
  );
  report('keyed rolling sum (target >= 0.33x the hand-written loop)', [loop, plainKeyed, tmKeyed], { loop, 'plain RxJS': plainKeyed });
  console.log(`\n(sink ${sink}) heap ${heapMiB().toFixed(0)} MiB`);
}

void main();
