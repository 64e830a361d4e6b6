/**
 * `npm run bench [-- --size N]`: runs every `bench/*.bench.ts` in its own process, one after another.
 * `--only NAME` runs the bench files whose name contains NAME.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const pass = onlyAt >= 0 ? args.filter((_, i) => i !== onlyAt && i !== onlyAt + 1) : args;
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (only === undefined || f.includes(only)))
  .sort();
// Bundle each bench with esbuild (as an app would bundle tidemark) instead of running it through tsx, whose
// keepNames transform wraps every closure and skews the numbers.
const outDir = join(here, '..', '.tmp', 'bench');
mkdirSync(outDir, { recursive: true });
let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}`);
  const outfile = join(outDir, f.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(here, f)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning' });
  const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...pass], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} failed with exit code ${r.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
