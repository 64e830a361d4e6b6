#!/usr/bin/env node
// Typechecks every ```ts block of README.md and docs/*.md as a user would compile it: `strict` and
// `exactOptionalPropertyTypes`, with `tidemark` (and its subpaths) mapped to the sources in lib/.
//
// Each block is its own module (written to .tmp/docs-check/). A page may give context its blocks share
// (the user's own types and streams, e.g. `interface Click` and `declare const clicks$`) in an HTML
// comment, which the rendered page does not show:
//
//   <!-- typecheck-docs prelude
//   interface Click { user: string; url: string; ts: number }
//   declare const clicks$: import('rxjs').Observable<Click>;
//   -->
//
// A block that is a fragment on purpose is marked ```ts nocheck (use it sparingly). Errors are reported
// as file:line of the markdown. Exit status 1 when any block fails.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.tmp', 'docs-check');
const pages = ['README.md', ...readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/${f}`)];

/** The ```ts blocks of a page, with their first line (1-based, in the markdown) and the page's prelude. */
function blocksOf(page) {
  const text = readFileSync(join(root, page), 'utf8');
  const lines = text.split('\n');
  const prelude = /<!--\s*typecheck-docs prelude\n([\s\S]*?)-->/.exec(text)?.[1] ?? '';
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const info = open[3];
    let j = i + 1;
    while (j < lines.length && !/^\s*```/.test(lines[j])) j++;
    if (!/\bnocheck\b/.test(info)) blocks.push({ page, line: i + 2, code: lines.slice(i + 1, j).join('\n'), prelude });
    i = j;
  }
  return blocks;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files = new Map();
for (const page of pages) {
  for (const b of blocksOf(page)) {
    const name = join(outDir, `${page.replace(/[/.]/g, '_')}_${b.line}.ts`);
    const preludeLines = b.prelude === '' ? 0 : b.prelude.split('\n').length - (b.prelude.endsWith('\n') ? 1 : 0);
    // `export {}` makes every block a module, so blocks do not see each other's names
    writeFileSync(name, `${b.prelude}${b.code}\nexport {};\n`);
    files.set(name, { ...b, preludeLines });
  }
}

const options = {
  strict: true,
  exactOptionalPropertyTypes: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // browser examples (fromEvent(document, ...)) need the DOM's types, as in a browser project
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node', 'vitest/globals'],
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
  allowImportingTsExtensions: true,
  baseUrl: root,
  // a relative import in a block (e.g. './examples/...') resolves from the repository root
  rootDirs: [root, outDir],
  paths: {
    tidemark: ['lib/index.ts'],
    'tidemark/node': ['lib/node/index.ts'],
    'tidemark/redis': ['lib/redis/index.ts'],
    'tidemark/testing': ['lib/testing/index.ts'],
  },
};
const program = ts.createProgram([...files.keys()], options);
const diagnostics = ts.getPreEmitDiagnostics(program);
let failures = 0;
for (const d of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const block = d.file === undefined ? undefined : files.get(resolve(d.file.fileName));
  if (d.file !== undefined && block === undefined) {
    // an error outside the blocks (in lib/) is `npm run typecheck`'s to report; show it anyway
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    console.error(`${relative(root, d.file.fileName)}:${line + 1}: error TS${d.code}: ${message}`);
    failures++;
    continue;
  }
  if (block === undefined) {
    console.error(`error TS${d.code}: ${message}`);
    failures++;
    continue;
  }
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  const inPrelude = line < block.preludeLines;
  const where = inPrelude ? `${block.page} (prelude of the block at line ${block.line})` : `${block.page}:${block.line + line - block.preludeLines}:${character + 1}`;
  console.error(`${where}: error TS${d.code}: ${message}`);
  failures++;
}
const total = files.size;
if (failures > 0) {
  console.error(`\ntypecheck-docs: ${failures} error(s) in the TypeScript blocks of README.md and docs/ (${total} blocks checked; generated files in ${relative(root, outDir)})`);
  process.exit(1);
}
console.log(`typecheck-docs: ${total} TypeScript blocks of README.md and docs/ typecheck (strict, exactOptionalPropertyTypes)`);
