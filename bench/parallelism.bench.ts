/**
 * Parallelism benchmark: a CPU-heavy keyed job (parse a JSON line, enrich it, keyed tumbling window per
 * user) in one thread against the same stage on 2 worker threads (`parallelWorkers`); the cost of crossing
 * a thread (an identity stage on 1 worker thread against in-process); and in-process `parallel(4)` against
 * the job without a parallel stage (the overhead of subtasks, channels and valves in one thread).
 * Records are keyed before the exchange by a cheap extract of the user from the line (as a source that
 * knows the key would give it), so the parse and the enrichment run in the subtasks.
 * Run: npm run bench -- --only parallelism [--size 200k]   (size = JSON lines)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, Observable, reduce as rxReduce } from 'rxjs';
import { keyBy, parallel, rebalance, StreamRecord, values, Watermark, type StreamElement } from '../lib/index';
import { parallelWorkers } from '../lib/node/index';
import { benchSize, compare, rng } from './harness';
import { clickStage, identity, type Enriched } from './parallelism-stage';

const N = benchSize(400_000);
const USERS = 5_000;
const root = process.cwd();
const out = join(root, '.tmp', 'bench', 'parallelism');
mkdirSync(out, { recursive: true });
// the worker entry and the stage module, bundled as an application's build would (esbuild's CLI: the bench
// itself is an esbuild bundle, which cannot carry esbuild's API)
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
for (const [entry, file] of [
  ['lib/node/worker.ts', 'worker.mjs'],
  ['bench/parallelism-stage.ts', 'stage.mjs'],
] as const) {
  const r = spawnSync(esbuild, [join(root, entry), '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outfile=${join(out, file)}`, '--log-level=warning'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: esbuild ${entry} failed: ${r.stderr}`);
}
const workerScript = join(out, 'worker.mjs');
const stageModule = join(out, 'stage.mjs');

const random = rng(16);
const URLS = ['/shop/cart', '/shop/item/42', '/blog/2024/rx', '/help/orders', '/api/v2/users', '/home', '/shop/checkout/pay', '/faq'];
const lines: Array<StreamRecord<string>> = Array.from({ length: N }, (_, i) => {
  const user = `u${String(Math.floor(random() * USERS)).padStart(4, '0')}`;
  const click = { user, url: `${URLS[Math.floor(random() * URLS.length)]!}?ref=${Math.floor(random() * 1e6)}`, ms: Math.floor(random() * 1000), ts: i };
  return new StreamRecord(JSON.stringify(click), i);
});
/** The user of a line, without parsing it: `{"user":"u0123",...`. */
const userOf = (line: string): string => line.slice(9, 14);
console.log(`${N.toLocaleString()} JSON lines, ${USERS.toLocaleString()} users, windows of 1 s (1000 lines)`);

/** The lines with a watermark every 1000 lines and the end-of-input watermark. */
function source(): Observable<StreamElement<string>> {
  return new Observable<StreamElement<string>>((s) => {
    for (let i = 0; i < lines.length; i++) {
      s.next(lines[i]!);
      if (i % 1000 === 999) s.next(new Watermark(i));
    }
    s.next(Watermark.MAX);
    s.complete();
  });
}

/** A checksum of the windows that does not depend on their order (worker outputs interleave). */
function checksum(o: Observable<unknown>): Promise<number> {
  return lastValueFrom(
    o.pipe(
      rxReduce((acc, x) => {
        const w = x as Enriched;
        return (acc + w.n + 7 * w.slow + 13 * w.bucket + w.section.length) % 1_000_000_007;
      }, 0),
    ),
  );
}

const keyed = () => source().pipe(keyBy(userOf));

await compare('CPU-heavy keyed job (parse JSON, enrich, keyed tumbling window): one thread vs 2 worker threads', {
  events: N,
  keys: USERS,
  sides: [
    { label: 'one thread', run: () => checksum(clickStage(keyed()).pipe(values())) },
    { label: '2 worker threads', run: () => checksum(keyed().pipe(parallelWorkers(2, stageModule, { workerScript, exportName: 'clickStage' }), values())) },
  ],
});

await compare('crossing a thread: identity stage in-process vs on 1 worker thread (there and back)', {
  events: N,
  sides: [
    { label: 'in-process parallel(1)', run: () => lastValueFrom(source().pipe(parallel(1, identity), values(), rxReduce((n) => n + 1, 0))) },
    { label: '1 worker thread', run: () => lastValueFrom(source().pipe(rebalance(), parallelWorkers(1, stageModule, { workerScript, exportName: 'identity' }), values(), rxReduce((n) => n + 1, 0))) },
  ],
});

/**
 * The per-record cost of the crossing without the workers' start-up (thread, module load): the identity
 * stage on 1 worker thread over all lines and over a fifth of them, alternated, GC before each; the
 * difference per extra record, median of the runs.
 */
async function crossingCost(): Promise<void> {
  const count = (n: number) =>
    lastValueFrom(
      new Observable<StreamElement<string>>((s) => {
        for (let i = 0; i < n; i++) s.next(lines[i]!);
        s.next(Watermark.MAX);
        s.complete();
      }).pipe(rebalance(), parallelWorkers(1, stageModule, { workerScript, exportName: 'identity' }), values(), rxReduce((c) => c + 1, 0)),
    );
  const small = Math.floor(N / 5);
  const costs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const timed = async (n: number): Promise<number> => {
      (globalThis as { gc?: () => void }).gc?.();
      const t0 = performance.now();
      await count(n);
      return performance.now() - t0;
    };
    const [a, b] = r % 2 === 0 ? [await timed(N), await timed(small)] : [await timed(small), await timed(N)].reverse();
    costs.push(((a! - b!) * 1e6) / (N - small));
  }
  costs.sort((x, y) => x - y);
  console.log(`\n## per-record cost of crossing a thread (there and back), start-up excluded\n${costs[2]!.toFixed(0)} ns/record median [${costs[0]!.toFixed(0)}–${costs[4]!.toFixed(0)}] of 5 alternated pairs (${N.toLocaleString()} vs ${small.toLocaleString()} lines)`);
}
await crossingCost();

await compare('in-process parallelism 4 vs no parallel stage (same CPU-heavy keyed job, one thread)', {
  events: N,
  keys: USERS,
  sides: [
    { label: 'no parallel stage', run: () => checksum(clickStage(keyed()).pipe(values())) },
    { label: 'parallel(4) in-process', run: () => checksum(keyed().pipe(parallel(4, clickStage), values())) },
  ],
});
