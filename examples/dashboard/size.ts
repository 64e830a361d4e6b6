/**
 * Measures the browser bundle of tidemark's core: `lib/index.ts` bundled and minified by esbuild for the
 * browser (rxjs, a peer dependency, left out), raw and gzipped. `npm run dashboard:size` prints it; the
 * dashboard's Vite config prints it too and shows it on the page.
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface BundleSize {
  /** Minified bytes. */
  raw: number;
  /** Gzipped bytes (level 9). */
  gzip: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `entry` (relative to the repository root) for the browser and measures it. */
export async function measureBundle(entry = 'lib/index.ts', external: string[] = ['rxjs']): Promise<BundleSize> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

/** One line for people: `tidemark core (lib/index.ts, browser, minified, rxjs excluded): 61.2 kB, 16.3 kB gzipped`. */
export function describeSize(label: string, s: BundleSize): string {
  return `${label}: ${(s.raw / 1000).toFixed(1)} kB minified, ${(s.gzip / 1000).toFixed(1)} kB gzipped`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const core = await measureBundle();
  const withRx = await measureBundle('lib/index.ts', []);
  console.log(describeSize('tidemark core (lib/index.ts for the browser, rxjs excluded)', core));
  console.log(describeSize('tidemark core with rxjs bundled in', withRx));
}
