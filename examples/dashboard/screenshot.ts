/**
 * Takes the docs' screenshot of the live dashboard (`tsx examples/dashboard/screenshot.ts [out.png]`):
 * builds the page, serves it on a free port, opens it in Debian's headless Chromium with the endless
 * default feed (seed 42, 10k clicks/s) and shoots it once 100k clicks are in (about 10 s).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const target = process.argv[2] ?? join(here, '..', '..', 'docs', 'images', 'dashboard.png');
const configFile = join(here, 'vite.config.ts');
const outDir = mkdtempSync(join(tmpdir(), 'tidemark-dashboard-'));
await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
const server = await preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 880 } });
  await page.goto(server.resolvedUrls!.local[0]!);
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#app')!.dataset['events']) >= 100_000, null, { timeout: 60_000 });
  await page.screenshot({ path: target, fullPage: true });
  console.log(`wrote ${target}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}
