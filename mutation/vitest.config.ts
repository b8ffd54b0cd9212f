// The tests StrykerJS runs against each mutant: those of the code that decides where a token goes that start no
// process, server or browser (unit tests with WXT's fake browser, and the property tests of the pattern language).
// The extension's flows against a real server in the same process (injection.test.ts) cover this code too, but
// hash passwords and wait on timers: once per mutant they would take hours.
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
          include: [
            'extension/core/dnr-rules.test.ts',
            'extension/core/request-outcomes.test.ts',
            'extension/features/rules/rules-actions.test.ts',
            'extension/core/regex-anchor.test.ts',
            'extension/core/rule.test.ts',
            'extension/core/rules-item.test.ts',
            'extension/core/url-explain.test.ts',
            'extension/core/url-patterns.test.ts',
          ],
        },
      },
    ],
  },
});
