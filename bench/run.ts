/**
 * `npm run bench [-- --size N] [--only NAME] [--case TEXT] [--runs R] [--min-ms MS] [--clock cpu]
 * [--json FILE]`: runs every `bench/*.bench.ts` in its own process (`node --expose-gc`), one after another.
 * `--only NAME` runs the bench files whose name contains NAME, `--case TEXT` the cases whose title contains
 * TEXT; `--size` sets the events per run (each bench has its own default); `--runs` the timed runs per side
 * (5; 3 below `--size 100k`, a smoke run whose numbers mean nothing); `--min-ms` the shortest timed run
 * (300 ms; 10 below `--size 100k`); `--clock cpu` times runs by the process's CPU time instead of elapsed
 * time (steadier on a shared machine); `--json FILE` writes every case's numbers and the machine to FILE,
 * from which `npm run bench:doc -- FILE...` regenerates the tables of docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
/** Removes `--NAME VALUE` from the arguments passed on and returns VALUE. */
function take(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const v = args[at + 1];
  if (v === undefined) throw new Error(`bench: --${name} needs a value`);
  args.splice(at, 2);
  return v;
}
const only = take('only');
const jsonOut = take('json');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (only === undefined || f.includes(only)))
  .sort();
if (files.length === 0) throw new Error(`bench: no bench file matches --only ${only}`);

/** The CPU model as /proc/cpuinfo names it (os.cpus() elsewhere). */
function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}
const git = (...a: string[]): string => spawnSync('git', a, { cwd: here, encoding: 'utf8' }).stdout?.trim() ?? '';

// Bundle each bench with esbuild (as an app would bundle tidemark) instead of running it through tsx, whose
// keepNames transform wraps every closure and skews the numbers. ioredis (CommonJS, for the Redis benches)
// is loaded from node_modules.
const outDir = join(here, '..', '.tmp', 'bench');
mkdirSync(outDir, { recursive: true });
const started = new Date().toISOString();
const loadBefore = loadavg();
const parts: unknown[] = [];
let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}`);
  const outfile = join(outDir, f.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(here, f)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning', external: ['ioredis'] });
  const part = join(outDir, f.replace(/\.ts$/, '.json'));
  rmSync(part, { force: true });
  const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...args], { stdio: 'inherit', env: { ...process.env, BENCH_JSON_PART: part } });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} failed with exit code ${r.status}`);
  } else if (existsSync(part)) parts.push(JSON.parse(readFileSync(part, 'utf8')));
}
if (jsonOut !== undefined) {
  const machine = {
    nproc: availableParallelism(),
    cpu: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
  };
  const out = { started, finished: new Date().toISOString(), commit: git('rev-parse', '--short', 'HEAD'), args: process.argv.slice(2), machine, benches: parts };
  writeFileSync(resolve(jsonOut), JSON.stringify(out, null, 1));
  console.log(`\nwrote ${resolve(jsonOut)}`);
}
process.exit(failed === 0 ? 0 : 1);
