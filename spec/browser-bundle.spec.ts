import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function bundle(entry: string): Promise<{ imports: string[]; code: string }> {
  const imports: string[] = [];
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-node-builtins',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (!builtins.has(args.path)) return undefined;
            imports.push(`${args.path} (from ${args.importer})`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return { imports, code: result.outputFiles[0]!.text };
}

describe('the browser bundle of the core', () => {
  it.each(['lib/index.ts', 'lib/testing/index.ts'])('%s bundles for the browser with no Node built-in', async (entry) => {
    const { imports, code } = await bundle(entry);
    expect(imports).toEqual([]);
    expect(code).not.toMatch(/require\(["'](node:)?(fs|net|path|os|child_process|process|buffer)["']\)/);
    expect(code.length).toBeGreaterThan(1000);
  });

  it('the checker catches a Node import (it is not vacuous)', async () => {
    const { imports } = await bundle('lib/node/index.ts');
    expect(imports.some((i) => i.startsWith('node:fs'))).toBe(true);
  });
});
