/**
 * Shared benchmark helpers: every bench file is a standalone script (`tsx bench/x.bench.ts --size N`)
 * that measures tidemark against baselines (a hand-written loop, plain RxJS) on the same data in the same
 * process, and prints throughput and ratios. Never assert timings in tests.
 */

/** The number of events to use: `--size N` (or `BENCH_SIZE`), else `fallback`. Accepts 10M, 500k. */
export function benchSize(fallback: number): number {
  const i = process.argv.indexOf('--size');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_SIZE'];
  if (raw === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw.trim());
  if (!m) throw new Error(`bench: --size must be a number like 100000, 500k or 10M, got ${raw}`);
  const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return Math.round(Number(m[1]) * mult);
}

/** Result of one measured case. */
export interface Measurement {
  label: string;
  events: number;
  ms: number;
  /** Million events per second. */
  mps: number;
}

/**
 * Runs `fn` `repeat` times (after one warm-up) and keeps the fastest run. `fn` may be async.
 */
export async function measure(label: string, events: number, fn: () => unknown, repeat = 3): Promise<Measurement> {
  await fn();
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { label, events, ms: best, mps: events / best / 1000 };
}

/** Prints a table of measurements with each one's ratio to `baseline` (higher is better). */
export function report(title: string, rows: Measurement[], baselines: Record<string, Measurement>): void {
  console.log(`\n## ${title}`);
  for (const r of rows) {
    const ratios = Object.entries(baselines)
      .filter(([, b]) => b !== r)
      .map(([name, b]) => `${(r.mps / b.mps).toFixed(2)}x ${name}`)
      .join(', ');
    console.log(`${r.label.padEnd(52)} ${r.mps.toFixed(2).padStart(7)} M events/s  ${r.ms.toFixed(0).padStart(6)} ms${ratios ? `  (${ratios})` : ''}`);
  }
}

/** Heap used now, in MiB, after a GC when `--expose-gc` is on. */
export function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** A small deterministic PRNG (mulberry32) so every run measures the same data. */
export function rng(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A binary min-heap by a number key, for the hand-written baselines (sift with a hole, no swaps). */
export class MinHeapBy<T> {
  private readonly items: T[] = [];
  constructor(private readonly keyOf: (x: T) => number) {}
  get length(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(x: T): void {
    const h = this.items;
    const k = this.keyOf(x);
    let i = h.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keyOf(h[p]!) <= k) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = x;
  }
  pop(): T {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      const k = this.keyOf(last);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && this.keyOf(h[l + 1]!) < this.keyOf(h[l]!) ? l + 1 : l;
        if (this.keyOf(h[c]!) >= k) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
