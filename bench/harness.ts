/**
 * Shared benchmark helpers. Every bench file is a standalone script (run by `bench/run.ts`, bundled with
 * esbuild, under `node --expose-gc`) that measures tidemark against baselines (a hand-written loop, plain
 * RxJS) on the same data in the same process. {@link compare} holds the measurement still:
 *
 * - every side first runs once untimed, and every run's result must equal the first side's (else the
 *   bench throws and exits non-zero): a faster side that computes something else is a bug, not a win;
 * - a run shorter than `--min-ms` (300 ms; 10 ms for a smoke run below `--size 100k`) repeats the side in
 *   a loop until it is long enough, the same number of times in every timed run of that side;
 * - a full GC is forced before every timed run, so no side pays for the garbage of the one before;
 * - `--runs` (5; 3 for a smoke run) timed runs per side, the sides alternated (A B, B A, ...) so a slow spell of the shared
 *   machine hits both; the ratio is taken run by run (run i of a side against run i of the baseline) and
 *   reported as the median with the min–max spread, and each side's throughput likewise.
 *
 * `--json FILE` (through `bench/run.ts`) writes every case's numbers; `bench/doc-table.ts` turns that file
 * into the tables of docs/performance.md. Never assert timings in tests.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/** The value of `--NAME V` on the command line, or `undefined`. */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Parses a count like 100000, 500k or 10M. */
export function parseCount(raw: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw.trim());
  if (!m) throw new Error(`bench: ${what} must be a number like 100000, 500k or 10M, got ${raw}`);
  const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return Math.round(Number(m[1]) * mult);
}

const sizeArg = arg('size') ?? process.env['BENCH_SIZE'];
/** A run below 100k events is a smoke run (CI): it must finish fast and still check results; its numbers mean nothing. */
const smoke = sizeArg !== undefined && parseCount(sizeArg, '--size') < 100_000;
/** Timed runs per side. */
const RUNS = arg('runs') !== undefined ? parseCount(arg('runs')!, '--runs') : smoke ? 3 : 5;
/** A timed run shorter than this repeats the side in a loop. */
const MIN_MS = arg('min-ms') !== undefined ? parseCount(arg('min-ms')!, '--min-ms') : smoke ? 10 : 300;
if (RUNS < 1) throw new Error('bench: --runs must be at least 1');
/**
 * What a timed run's length is read from: `wall` (the default: elapsed time) or `cpu` (the process's user +
 * system CPU time, GC and compiler threads included), steadier on a machine shared with other jobs.
 */
const CLOCK = arg('clock') ?? 'wall';
/** `--case TEXT`: only the cases whose title contains TEXT run. */
const CASE = arg('case');
if (CLOCK !== 'wall' && CLOCK !== 'cpu') throw new Error(`bench: --clock must be wall or cpu, got ${CLOCK}`);
/** Milliseconds on the chosen clock. */
const now: () => number =
  CLOCK === 'wall'
    ? () => performance.now()
    : () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };

/** The number of events to use: `--size N` (or `BENCH_SIZE`), else `fallback`. Accepts 10M, 500k. */
export function benchSize(fallback: number): number {
  return sizeArg === undefined ? fallback : parseCount(sizeArg, '--size');
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn('bench: run under node --expose-gc (npm run bench does): without it no GC is forced between runs and memory figures are missing');

/** Forces a full GC (twice: the first may only finalize weak references). */
export function fullGc(): void {
  gc?.();
  gc?.();
}

/** Heap used now, in MiB, after a forced GC. */
export function heapMiB(): number {
  fullGc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** One side of a case: a label and a run that returns what it computed (compared across sides). */
export interface Side {
  label: string;
  /** Runs the side once over the whole input and returns a checksum of what it computed (or a promise of it). */
  run: () => unknown;
  /**
   * Untimed setup before every run of this side (the warm-up runs too), before the forced GC: what a run
   * needs that is not part of what it measures (the changes an incremental checkpoint writes, say). A
   * side with `prepare` runs once per timed run, never repeated to last `--min-ms`.
   */
  prepare?: () => unknown;
  /**
   * For memory per key: builds this side's state for `memory.keys` keys and returns something that holds
   * it (a subscription left open, the loop's Map). The input must be made before and kept by the caller.
   */
  hold?: () => unknown;
}

/** Median, min and max of a list of numbers. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

/** One side's numbers in a case. */
export interface SideResult {
  label: string;
  /** Times the side ran inside one timed run (to last at least `--min-ms`). */
  reps: number;
  /** Million events per second, per timed run. */
  mps: number[];
  /** Median and spread of {@link mps}. */
  throughput: Spread;
  /** Ratio to each baseline (by its label), taken run by run: median and spread. */
  ratios: Record<string, Spread>;
  /** Heap bytes per key held by this side's state, when the case measures memory. */
  bytesPerKey?: number;
}

/** One case's numbers. */
export interface CaseResult {
  bench: string;
  title: string;
  /** Events per run of a side (both inputs counted for two-input cases). */
  events: number;
  /** Distinct keys in the input, for keyed cases. */
  keys?: number;
  /** Keys used for the memory figures. */
  memoryKeys?: number;
  baselines: string[];
  /** What every side computed (the same for all, or the bench failed). */
  result: unknown;
  sides: SideResult[];
}

const results: CaseResult[] = [];
const benchName = basename(process.argv[1] ?? 'bench').replace(/\.(bench\.)?(mjs|ts|js)$/, '');

process.on('exit', (code) => {
  const out = process.env['BENCH_JSON_PART'];
  if (out !== undefined && code === 0) writeFileSync(out, JSON.stringify({ bench: benchName, runs: RUNS, minMs: MIN_MS, clock: CLOCK, smoke, cases: results }, null, 1));
});

const show = (x: unknown): string => {
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
};

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Events per run of a side (both inputs counted for two-input cases). */
  events: number;
  sides: Side[];
  /** Labels of the sides every other side is compared with (default: the first side). */
  baselines?: string[];
  /** Distinct keys in the input, for keyed cases (printed and written to the JSON). */
  keys?: number;
  /** Memory per key: the number of keys the sides' `hold` functions build state for. */
  memoryKeys?: number;
}

/**
 * Measures a case (unless `--case TEXT` is given and the title does not contain it): checks that every
 * side computes the same, then times `--runs` alternated runs per
 * side after a forced GC each, and prints each side's median throughput and its ratio to the baselines
 * with the spread (and bytes per key when `memoryKeys` is given). Throws when two sides disagree.
 */
export async function compare(title: string, options: CompareOptions): Promise<CaseResult | undefined> {
  if (CASE !== undefined && !title.includes(CASE)) return undefined;
  const { events, sides } = options;
  const baselines = options.baselines ?? [sides[0]!.label];
  let reference: { label: string; value: unknown } | undefined;
  const check = (label: string, value: unknown): void => {
    if (reference === undefined) reference = { label, value };
    else if (!isDeepStrictEqual(value, reference.value)) {
      throw new Error(`bench "${title}": ${label} computed ${show(value)} but ${reference.label} computed ${show(reference.value)}`);
    }
  };
  const once = async (side: Side): Promise<number> => {
    await side.prepare?.();
    fullGc();
    const t0 = now();
    let v = side.run();
    if (v instanceof Promise) v = await v;
    const ms = now() - t0;
    check(side.label, v);
    return ms;
  };
  // warm-up (checks results), then the number of repetitions that makes a timed run last MIN_MS
  const reps: number[] = [];
  for (const side of sides) {
    let ms = await once(side);
    if (ms < 2 * MIN_MS) ms = await once(side);
    reps.push(side.prepare === undefined ? Math.max(1, Math.ceil(MIN_MS / Math.max(ms, 0.01))) : 1);
  }
  const mps: number[][] = sides.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let j = 0; j < sides.length; j++) {
      const i = r % 2 === 0 ? j : sides.length - 1 - j;
      const side = sides[i]!;
      await side.prepare?.();
      fullGc();
      const t0 = now();
      for (let k = 0; k < reps[i]!; k++) {
        let v = side.run();
        if (v instanceof Promise) v = await v;
        if (k === reps[i]! - 1) check(side.label, v);
      }
      const ms = now() - t0;
      mps[i]!.push((events * reps[i]!) / ms / 1000);
    }
  }
  const result: CaseResult = {
    bench: benchName,
    title,
    events,
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    baselines,
    result: reference!.value,
    sides: sides.map((side, i) => {
      const ratios: Record<string, Spread> = {};
      for (const b of baselines) {
        const bi = sides.findIndex((s) => s.label === b);
        if (bi < 0) throw new Error(`bench "${title}": no side labelled ${b}`);
        if (bi !== i) ratios[b] = spread(mps[i]!.map((m, r) => m / mps[bi]![r]!));
      }
      return { label: side.label, reps: reps[i]!, mps: mps[i]!, throughput: spread(mps[i]!), ratios };
    }),
  };
  if (options.memoryKeys !== undefined && gc !== undefined) {
    result.memoryKeys = options.memoryKeys;
    for (let i = 0; i < sides.length; i++) {
      const hold = sides[i]!.hold;
      if (hold !== undefined) result.sides[i]!.bytesPerKey = bytesPerKey(options.memoryKeys, hold);
    }
  }
  results.push(result);
  print(result);
  return result;
}

/**
 * Heap growth per key while `build`'s result is alive, after a forced GC before and after. A first build
 * is held through the measurement of a second one: code made on first use is not counted, and a reference
 * the runtime keeps to the latest build (seen with open RxJS subscriptions) cannot hide the growth.
 */
export function bytesPerKey(keys: number, build: () => unknown): number {
  let first: unknown = build();
  fullGc();
  const before = process.memoryUsage().heapUsed;
  let second: unknown = build();
  fullGc();
  const after = process.memoryUsage().heapUsed;
  if (first === keepAlive || second === keepAlive) console.log('');
  first = second = undefined;
  return (after - before) / keys;
}
const keepAlive = {};

const fmt = (s: Spread, digits: number): string =>
  `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;

function print(c: CaseResult): void {
  const keys = c.keys === undefined ? '' : `, ${c.keys.toLocaleString('en-US')} keys`;
  console.log(`\n## ${c.title}\n(${c.events.toLocaleString('en-US')} events per run${keys}; median [min–max] of ${RUNS} alternated runs per side, GC forced before each${CLOCK === 'cpu' ? ', CPU time' : ''})`);
  for (const s of c.sides) {
    const ratios = Object.entries(s.ratios)
      .map(([name, r]) => `${fmt(r, 2)}x ${name}`)
      .join(', ');
    const mem = s.bytesPerKey === undefined ? '' : `  ${s.bytesPerKey.toFixed(0)} B/key`;
    const reps = s.reps > 1 ? ` x${s.reps}` : '';
    console.log(`${s.label.padEnd(50)} ${fmt(s.throughput, 2).padStart(20)} M events/s${reps}${mem}${ratios ? `  ${ratios}` : ''}`);
  }
  if (c.memoryKeys !== undefined) console.log(`(memory: heap growth after a forced GC with ${c.memoryKeys.toLocaleString('en-US')} keys' state held, input kept by both sides)`);
}

/** What a run computed, for the cross-side check: how many outputs and the sum of their values. */
export interface Sum {
  n: number;
  total: number;
}
/** A zero {@link Sum}. */
export const newSum = (): Sum => ({ n: 0, total: 0 });

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

/** The key counts of the scaling cases (1k, 100k, 1M), each capped at `events` (a smoke run has fewer events than 1M). */
export function keyScales(events: number): number[] {
  return [...new Set([1_000, 100_000, 1_000_000].map((k) => Math.min(k, events)))];
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
