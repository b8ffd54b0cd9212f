// The tests StrykerJS runs against each mutant: only those that start no process, server or browser (the
// extension's unit tests with WXT's fake browser, and the property tests of the pattern language).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          root,
          include: ['test/property-url-patterns.test.ts'],
          environment: 'node',
          // Once per mutant: a tenth of the runs, with a fixed seed, so a mutant's fate does not change by chance.
          env: { PROPERTY_RUNS: '300' },
          setupFiles: ['mutation/fixed-seed.ts'],
        },
      },
      {
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          root,
          include: ['extension/**/*.test.ts', 'extension/**/*.test.tsx'],
        },
      },
    ],
  },
});
