/**
 * `npm run nexmark [-- --query q5,q7] [--events 10M] [--json results.json] [--chart results.svg]`: the
 * Nexmark queries of examples/nexmark on pre-generated events, each against its hand-written reference
 * (examples/nexmark/reference.ts) on the same events in the same process. Prints, per query: events, wall
 * seconds, events per CPU-second (process.cpuUsage, so GC threads count), heap above the events after the
 * run (after a forced GC) and the largest heap sampled during it, the ratio to the reference, and the
 * published per-core figures of Flink and Feldera for orientation. The generator's own speed is reported
 * first. A progress bar goes to standard error (when it is a terminal). `--checkpoint-interval 1000 --redis`
 * then repeats each query that checkpoints all its state live, without and with checkpoints to the local
 * Redis, and prints the ratio.
 *
 * Run through bench/run.ts (`npm run nexmark` is `tsx bench/run.ts --only nexmark`), which bundles it
 * with esbuild; `npm run bench -- --size 20k` runs it with 20 000 events.
 */
import { cpus, platform, release } from 'node:os';
import { writeFileSync } from 'node:fs';
import { QUERIES, runQuery, type NexmarkQuery } from '../examples/nexmark/queries';
import { assignWatermarks, fromCollection, Job, MemoryCheckpointStorage, values, WatermarkStrategy, type CheckpointStats } from '../lib/index';
import { RedisCheckpointStorage } from '../lib/redis/index';
import { NexmarkGenerator, type NexmarkEvent } from '../lib/testing/index';

/** Published events per second per core (docs/nexmark.md): Flink Nexmark V1 and V2, Feldera. */
const PUBLISHED: Record<string, { flinkV1?: number; flinkV2?: number; feldera?: number }> = {
  q0: { flinkV1: 155e3, flinkV2: 379e3, feldera: 936e3 },
  q1: { flinkV1: 158e3, feldera: 856e3 },
  q2: { flinkV1: 175e3, feldera: 874e3 },
  q3: { flinkV1: 152e3, feldera: 804e3 },
  q4: { flinkV1: 34e3 },
  q5: { flinkV1: 22e3, flinkV2: 75e3 },
  q7: { flinkV1: 12e3, flinkV2: 23e3 },
  q8: { flinkV1: 146e3, flinkV2: 162e3 },
};

/** The issue's targets: q0–q3 at Feldera's figure, q5/q7/q8 at 3× Flink V2, half the reference for q5/q7/q8/q11. */
function targetMet(name: string, perCpuSecond: number, ratio: number): string {
  const p = PUBLISHED[name];
  const checks: boolean[] = [];
  if (p?.feldera !== undefined) checks.push(perCpuSecond >= p.feldera);
  if (['q5', 'q7', 'q8'].includes(name) && p?.flinkV2 !== undefined) checks.push(perCpuSecond >= 3 * p.flinkV2);
  if (['q5', 'q7', 'q8', 'q11'].includes(name)) checks.push(ratio >= 0.5);
  if (checks.length === 0) return '';
  return checks.every(Boolean) ? 'met' : 'missed';
}

export interface QueryResult {
  query: string;
  title: string;
  events: number;
  outputs: number;
  wallSeconds: number;
  eventsPerCpuSecond: number;
  heapAfterMiB: number;
  heapPeakMiB: number;
  referenceWallSeconds: number;
  referenceEventsPerCpuSecond: number;
  ratioToReference: number;
  outputsMatchReference: boolean;
  flinkV1PerCore?: number;
  flinkV2PerCore?: number;
  felderaPerCore?: number;
  target: string;
}

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
/**
 * `--checkpoint-interval MS` (and/or `--redis`): after the table, each query that snapshots all its state
 * runs again live (real clock) without and with checkpoints every MS ms (default 1000) to the local Redis
 * (`--redis`, REDIS_URL) or in memory, and the ratio is printed.
 */
const checkpointIntervalArg = arg('--checkpoint-interval');
const checkpointed = checkpointIntervalArg !== undefined || args.includes('--redis');
const checkpointInterval = checkpointIntervalArg === undefined ? 1_000 : Number(checkpointIntervalArg);
if (checkpointed && (!Number.isFinite(checkpointInterval) || checkpointInterval <= 0)) {
  console.error(`nexmark: --checkpoint-interval must be a number of ms > 0, got ${checkpointIntervalArg}`);
  process.exit(2);
}
/** The queries whose every stateful operator takes part in checkpoints (the others are skipped with a note). */
const CHECKPOINTED_QUERIES = ['q0', 'q1', 'q2', 'q5', 'q7'];
const eventsArg = arg('--events');
const sizeArg = arg('--size') ?? process.env['BENCH_SIZE'];
const events = parseCount(eventsArg ?? sizeArg ?? '1M');
const wanted = arg('--query')?.split(',').map((s) => s.trim());
const unknown = wanted?.filter((w) => !QUERIES.some((q) => q.name === w)) ?? [];
if (unknown.length > 0) {
  console.error(`nexmark: unknown --query ${unknown.join(', ')}; choose from ${QUERIES.map((q) => q.name).join(', ')}`);
  process.exit(2);
}
const queries = wanted === undefined ? QUERIES : QUERIES.filter((q) => wanted.includes(q.name));
const chartFile = arg('--chart');

function parseCount(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw.trim());
  if (!m) throw new Error(`nexmark: --events must be a number like 100000, 500k or 10M, got ${raw}`);
  return Math.round(Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6));
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMiB = (): number => process.memoryUsage().heapUsed / 2 ** 20;
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}K` : n.toFixed(0));

/** A progress bar on stderr, redrawn at most every 1 %. */
function progress(label: string, total: number): (done: number) => void {
  if (!process.stderr.isTTY) return () => {};
  let shown = -1;
  return (done) => {
    const pct = Math.floor((100 * done) / total);
    if (pct === shown) return;
    shown = pct;
    const width = 30;
    const full = Math.round((width * done) / total);
    process.stderr.write(`\r${label.padEnd(22)} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(pct).padStart(3)}%`);
    if (done >= total) process.stderr.write('\r' + ' '.repeat(width + 32) + '\r');
  };
}

function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, Node ${process.version}, ${platform()} ${release()}`;
}

// 1. The generator's own speed: generating (and keeping) the events the queries run on, then a
//    generate-and-drop loop over up to 1M events.
console.log(`# Nexmark, ${fmt(events)} events (10 000 per event-time second: ${events / 10_000} s of event time)`);
console.log(`machine: ${machine()}`);
const generator = new NexmarkGenerator();
gc();
const heapBefore = heapMiB();
let cpu0 = process.cpuUsage();
let t0 = performance.now();
const bar = progress('generating', events);
const pregenerated: NexmarkEvent[] = new Array<NexmarkEvent>(events);
for (let i = 0; i < events; i++) {
  pregenerated[i] = generator.event(i);
  if ((i & 0xffff) === 0) bar(i);
}
bar(events);
const genKeptWall = (performance.now() - t0) / 1000;
const genKeptCpu = cpuSeconds(cpu0);
gc();
const eventsMiB = heapMiB() - heapBefore;
const dropped = Math.min(events, 1_000_000);
cpu0 = process.cpuUsage();
t0 = performance.now();
let sink = 0;
for (let i = 0; i < dropped; i++) sink += generator.event(i).dateTime;
const genDropWall = (performance.now() - t0) / 1000;
const genDropCpu = cpuSeconds(cpu0);
console.log(
  `generator: ${fmt(events / genKeptCpu)} events/CPU-s generating and keeping ${fmt(events)} events (${genKeptWall.toFixed(2)} s wall, ` +
    `${eventsMiB.toFixed(0)} MiB held); ${fmt(dropped / genDropCpu)} events/CPU-s generating and dropping ${fmt(dropped)}${sink < 0 ? '!' : ''}`,
);

// 2. The queries. Each one and its reference first run on a prefix to warm the JIT up.
const warm = pregenerated.slice(0, Math.min(events, 20_000));
const results: QueryResult[] = [];
const header = `${'query'.padEnd(5)} ${'events'.padStart(7)} ${'wall s'.padStart(7)} ${'ev/CPU-s'.padStart(9)} ${'heap MiB'.padStart(9)} ${'peak'.padStart(6)} ${'ref ev/CPU-s'.padStart(12)} ${'ratio'.padStart(6)}  ${'Flink V1'.padStart(8)} ${'Flink V2'.padStart(8)} ${'Feldera'.padStart(8)}  output`;
console.log(`\n${header}`);
for (const q of queries) {
  runQuery(q, warm, generator, () => {});
  q.reference(warm, () => {});

  gc();
  let refOutputs = 0;
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  q.reference(pregenerated, () => refOutputs++);
  const refWall = (performance.now() - t0) / 1000;
  const refCpu = cpuSeconds(cpu0);

  gc();
  const base = heapMiB();
  let peak = base;
  let outputs = 0;
  const tick = progress(`${q.name} ${q.title}`, events);
  let nextSample = 0;
  const onPosition = (p: number): void => {
    tick(p);
    if (p >= nextSample) {
      nextSample += events / 20;
      peak = Math.max(peak, heapMiB());
    }
  };
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  runQuery(q, pregenerated, generator, () => outputs++, onPosition);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  gc();
  const after = heapMiB() - base;

  const p = PUBLISHED[q.name] ?? {};
  const perCpu = events / cpu;
  const refPerCpu = events / refCpu;
  const r: QueryResult = {
    query: q.name,
    title: q.title,
    events,
    outputs,
    wallSeconds: wall,
    eventsPerCpuSecond: perCpu,
    heapAfterMiB: after,
    heapPeakMiB: peak - base,
    referenceWallSeconds: refWall,
    referenceEventsPerCpuSecond: refPerCpu,
    ratioToReference: perCpu / refPerCpu,
    outputsMatchReference: outputs === refOutputs,
    ...(p.flinkV1 === undefined ? {} : { flinkV1PerCore: p.flinkV1 }),
    ...(p.flinkV2 === undefined ? {} : { flinkV2PerCore: p.flinkV2 }),
    ...(p.feldera === undefined ? {} : { felderaPerCore: p.feldera }),
    target: targetMet(q.name, perCpu, perCpu / refPerCpu),
  };
  results.push(r);
  const pub = (n: number | undefined): string => (n === undefined ? '' : fmt(n)).padStart(8);
  console.log(
    `${q.name.padEnd(5)} ${fmt(events).padStart(7)} ${wall.toFixed(2).padStart(7)} ${fmt(perCpu).padStart(9)} ${after.toFixed(1).padStart(9)} ${(peak - base).toFixed(0).padStart(6)} ` +
      `${fmt(refPerCpu).padStart(12)} ${(perCpu / refPerCpu).toFixed(2).padStart(6)}  ${pub(p.flinkV1)} ${pub(p.flinkV2)} ${pub(p.feldera)}  ` +
      `${outputs} rows${r.outputsMatchReference ? '' : ` (reference: ${refOutputs}, MISMATCH)`}${r.target ? `, target ${r.target}` : ''}`,
  );
}
console.log('\nev/CPU-s: events per CPU-second; heap MiB: above the held events after the run and a GC; peak: largest heap sampled during the run; ratio: to the hand-written reference on the same events.');

// 3. With checkpoints: each query run live (asyncScheduler), without and with checkpoints, same events.
const checkpointResults: Array<{ query: string; withoutEventsPerSecond: number; withEventsPerSecond: number; ratio: number; checkpoints: number; longestSyncPauseMs: number }> = [];
if (checkpointed) {
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const storage = args.includes('--redis') ? await RedisCheckpointStorage.connect({ url: redisUrl, prefix: `tidemark-nexmark:${process.pid}` }) : new MemoryCheckpointStorage();
  console.log(`\n# With checkpoints every ${checkpointInterval} ms to ${storage.description} (live: real clock, both runs on the same events)`);
  console.log(`${'query'.padEnd(5)} ${'without ev/s'.padStart(12)} ${'with ev/s'.padStart(10)} ${'ratio'.padStart(6)}  checkpoints  longest pause`);
  try {
    for (const q of queries) {
      if (!CHECKPOINTED_QUERIES.includes(q.name) || q.rateLimited !== undefined) {
        console.log(`${q.name.padEnd(5)} skipped: not every operator of this query takes part in checkpoints yet`);
        continue;
      }
      const runs: Array<{ rate: number; outputs: number; stats: CheckpointStats[] }> = [];
      for (const withCheckpoints of [false, true, false, true]) {
        gc();
        const stats: CheckpointStats[] = [];
        const jobName = `nexmark-${q.name}-${runs.length}`;
        const job = new Job({ name: jobName, ...(withCheckpoints ? { checkpoints: { interval: checkpointInterval, storage }, restoreFrom: 'none' as const } : {}) });
        if (withCheckpoints) job.checkpointStats.subscribe((st) => stats.push(st));
        let outputs = 0;
        const t = performance.now();
        await new Promise<void>((resolve, reject) =>
          fromCollection(pregenerated, { job, uid: 'events' })
            .pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>().withTimestampAssigner((e) => e.dateTime)), q.query(), values())
            .subscribe({ next: () => outputs++, error: reject, complete: resolve }),
        );
        runs.push({ rate: events / ((performance.now() - t) / 1000), outputs, stats });
        if (withCheckpoints) await storage.discardJob(jobName);
      }
      if (new Set(runs.map((r) => r.outputs)).size !== 1) throw new Error(`nexmark: ${q.name} with checkpoints wrote ${runs.map((r) => r.outputs).join('/')} rows: not the same`);
      // the better of two runs per side (alternated), as the table above takes one run: a loaded machine's noise
      const without = Math.max(runs[0]!.rate, runs[2]!.rate);
      const withCp = Math.max(runs[1]!.rate, runs[3]!.rate);
      const completed = [...runs[1]!.stats, ...runs[3]!.stats].filter((st) => st.status === 'completed');
      const pause = Math.max(0, ...completed.map((st) => st.longestSyncPause));
      checkpointResults.push({ query: q.name, withoutEventsPerSecond: without, withEventsPerSecond: withCp, ratio: withCp / without, checkpoints: completed.length, longestSyncPauseMs: pause });
      console.log(`${q.name.padEnd(5)} ${fmt(without).padStart(12)} ${fmt(withCp).padStart(10)} ${(withCp / without).toFixed(2).padStart(6)}  ${String(completed.length).padStart(11)}  ${pause} ms`);
    }
  } finally {
    await storage.close();
  }
  console.log('ratio: events per second with checkpoints / without (best of two alternated runs each); target ≥ 0.8. Checkpoints: completed over both runs.');
}

// `--json FILE` is taken by bench/run.ts, which gathers each bench's part (this one) into FILE.
const jsonPart = process.env['BENCH_JSON_PART'];
if (jsonPart !== undefined) {
  const generatorSpeed = { eventsPerCpuSecondKept: events / genKeptCpu, eventsPerCpuSecondDropped: dropped / genDropCpu, eventsMiB };
  // `cases` stays empty so bench/doc-table.ts (docs/performance.md) skips this part
  const part = { bench: 'nexmark', runs: 1, minMs: 0, smoke: events < 100_000, cases: [], machine: machine(), events, generator: generatorSpeed, queries: results, checkpoints: checkpointResults };
  writeFileSync(jsonPart, JSON.stringify(part, null, 2) + '\n');
}
if (chartFile !== undefined) {
  writeFileSync(chartFile, chart(results));
  console.log(`wrote ${chartFile}`);
}
if (results.some((r) => !r.outputsMatchReference)) process.exit(1);

/** A horizontal bar chart (log scale) of events per CPU-second: tidemark, the reference, Flink, Feldera. */
function chart(rows: QueryResult[]): string {
  const series: Array<{ label: string; color: string; value: (r: QueryResult) => number | undefined }> = [
    { label: 'tidemark', color: '#2b6cb0', value: (r) => r.eventsPerCpuSecond },
    { label: 'reference', color: '#a0aec0', value: (r) => r.referenceEventsPerCpuSecond },
    { label: 'Flink V2 per core', color: '#dd6b20', value: (r) => r.flinkV2PerCore },
    { label: 'Flink V1 per core', color: '#f6ad55', value: (r) => r.flinkV1PerCore },
    { label: 'Feldera per core', color: '#38a169', value: (r) => r.felderaPerCore },
  ];
  const barH = 9;
  const groupH = series.length * barH + 14;
  const left = 70;
  const width = 640;
  const plotW = width - left - 20;
  const top = 40;
  const height = top + rows.length * groupH + 40;
  const lo = 1e3;
  const hi = 1e8;
  const x = (v: number): number => left + (plotW * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">Nexmark: events per CPU-second (log scale), ${fmt(rows[0]?.events ?? 0)} events</text>`,
  ];
  for (let e = 3; e <= 8; e++) {
    parts.push(`<line x1="${x(10 ** e)}" y1="${top - 6}" x2="${x(10 ** e)}" y2="${height - 34}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${x(10 ** e)}" y="${top - 10}" text-anchor="middle" fill="#718096">${fmt(10 ** e)}</text>`);
  }
  rows.forEach((r, i) => {
    const y0 = top + i * groupH;
    parts.push(`<text x="${left - 8}" y="${y0 + (series.length * barH) / 2 + 4}" text-anchor="end" font-weight="bold">${r.query}</text>`);
    series.forEach((s, j) => {
      const v = s.value(r);
      if (v === undefined) return;
      parts.push(`<rect x="${left}" y="${y0 + j * barH}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${barH - 1}" fill="${s.color}"><title>${s.label}: ${fmt(v)}</title></rect>`);
    });
  });
  series.forEach((s, j) => {
    const lx = left + j * 115;
    parts.push(`<rect x="${lx}" y="${height - 22}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${height - 13}">${s.label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
