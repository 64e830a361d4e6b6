// Checks the built package the way users load it: ESM and CJS entry points share one copy of the element
// classes (so `instanceof` works across `tidemark` and `tidemark/testing`), and the browser entry bundles
// for the browser with no Node built-in.
import { createRequire } from 'node:module';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

const esm = await import('tidemark');
const esmTesting = await import('tidemark/testing');
check(esmTesting.rec(1, 2) instanceof esm.StreamRecord, 'ESM: tidemark/testing records are tidemark StreamRecords');
const cjs = require('tidemark');
const cjsTesting = require('tidemark/testing');
check(cjsTesting.rec(1, 2) instanceof cjs.StreamRecord, 'CJS: tidemark/testing records are tidemark StreamRecords');
check(typeof require('tidemark/node') === 'object' && typeof (await import('tidemark/redis')) === 'object', 'node and redis subpaths load');

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const hits = [];
await build({
  stdin: { contents: "export * from 'tidemark'; export * from 'tidemark/testing';", resolveDir: process.cwd() },
  bundle: true,
  write: false,
  platform: 'browser',
  format: 'esm',
  logLevel: 'silent',
  plugins: [{
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (builtins.has(args.path)) hits.push(`${args.path} (imported by ${args.importer})`);
        return undefined;
      });
    },
  }],
});
check(hits.length === 0, `dist bundles for the browser with no Node built-in${hits.length ? `: ${hits.join(', ')}` : ''}`);
process.exit(failures === 0 ? 0 : 1);
