/**
 * Vite config of the dashboard (`npm run dashboard`): the page imports tidemark from the library source
 * (`lib/index.ts`), so the repository root must be servable. Measures the core's browser bundle once at
 * start-up, prints it and hands it to the page.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { describeSize, measureBundle } from './size.js';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig(async ({ isPreview }) => {
  const core = await measureBundle();
  if (isPreview !== true) console.log(describeSize('tidemark core (lib/index.ts for the browser, rxjs excluded)', core));
  return {
    root: here,
    clearScreen: false,
    define: { __TIDEMARK_CORE_SIZE__: JSON.stringify(core) },
    server: { fs: { allow: [join(here, '..', '..')] } },
    build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022' },
  };
});
