import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['spec/**/*.spec.ts'],
    testTimeout: 20000,
    // the memory specs measure the heap after a forced GC (spec/helpers/heap.ts)
    execArgv: ['--expose-gc'],
    hookTimeout: 30000,
  },
});
