import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'lib/index.ts',
    'node/index': 'lib/node/index.ts',
    'node/worker': 'lib/node/worker.ts',
    'redis/index': 'lib/redis/index.ts',
    'testing/index': 'lib/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  splitting: true,
  target: 'es2022',
  external: ['rxjs', 'ioredis', 'tidemark'],
});
