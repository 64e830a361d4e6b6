// Checks the built package the way users load it: ESM and CJS entry points share one copy of the element
// classes (so `instanceof` works across `tidemark` and `tidemark/testing`), elements of the CJS build are
// elements for the ESM build and back (the dual-package hazard), the browser entry bundles for the browser
// with no Node built-in, and every entry point's types resolve for a TypeScript project under each module
// resolution (node10 included, through `typesVersions`).
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';

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
// the dual-package hazard: the CJS and the ESM build are two copies of tidemark, yet each one's elements
// are elements for the other (StreamElementBase is shared through a Symbol.for key on globalThis)
const { lastValueFrom, of, toArray } = await import('rxjs');
check(cjs.StreamRecord !== esm.StreamRecord, 'CJS and ESM builds are two copies of the element classes');
const keyedInEsm = await lastValueFrom(of(new cjs.StreamRecord({ user: 'ann' }, 5)).pipe(esm.keyBy((v) => v.user), toArray()));
check(
  keyedInEsm.length === 1 && keyedInEsm[0] instanceof esm.StreamRecord && keyedInEsm[0].key === 'ann' && keyedInEsm[0].timestamp === 5,
  'a record made by the CJS build keeps its timestamp through keyBy of the ESM build',
);
const firedInCjs = await lastValueFrom(
  of(new esm.StreamRecord(1, 3, 'k'), new esm.StreamRecord(2, 7, 'k'), new esm.Watermark(9)).pipe(cjs.tumblingEventWindow(10, { reduce: (x, y) => x + y }), cjs.values(), toArray()),
);
check(firedInCjs.length === 1 && firedInCjs[0] === 3, 'records and a watermark made by the ESM build fire a window of the CJS build');
check(new cjs.Watermark(1) instanceof esm.Watermark && !(new cjs.Watermark(1) instanceof esm.StreamRecord), 'instanceof across the builds answers by element kind');
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
// A consumer project with tidemark in its node_modules, type-checked under each resolution a user may have.
const consumer = `import { StreamRecord, WatermarkStrategy } from 'tidemark';
import { rec } from 'tidemark/testing';
import { readTextFile } from 'tidemark/node';
import * as redis from 'tidemark/redis';
const r: StreamRecord<number> = rec(1, 2);
const s: WatermarkStrategy<number> = WatermarkStrategy.forMonotonousTimestamps<number>().withPerEventEmit();
const f: typeof readTextFile = readTextFile;
export const used = [r, s, f, redis] as const;
`;
const project = mkdtempSync(join(tmpdir(), 'tidemark-types-'));
try {
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(process.cwd(), join(project, 'node_modules', 'tidemark'), 'dir');
  const setups = [
    ['node10 (moduleResolution: node)', 'check.ts', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
    ['node16 from CJS', 'check.cts', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
    ['node16 from ESM', 'check.mts', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
    ['bundler', 'check.ts', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
  ];
  for (const [name, file, options] of setups) {
    const path = join(project, file);
    writeFileSync(path, consumer);
    const program = ts.createProgram([path], { ...options, strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(process.cwd(), 'node_modules', '@types')], target: ts.ScriptTarget.ES2022 });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    check(errors.length === 0, `types of tidemark, tidemark/testing, tidemark/node, tidemark/redis resolve under ${name}${errors.length ? `: ${errors.join('; ')}` : ''}`);
    rmSync(path);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
