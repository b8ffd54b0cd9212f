// Test projects. `unit` and `unit-extension` are the fast loop (`npm run test:unit`): tests that run inside the
// test worker and start no process, no database server and no browser. Rule: SQLite opened in-process (in memory
// or a temporary file) and HTTP on loopback served by the same process count as unit; a file that starts a child
// process (the server, a CLI command, PostgreSQL, nginx, a tmpfs mount) or Chromium, itself or through a fixture
// in test/fixtures/, is `integration`; `e2e` drives the built extension in a browser.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

const NODE_TEST_DIRS = ['server', 'shared', 'test'];
const STARTS_SOMETHING = /^import (?!type )[^;]*from '(?:node:child_process|playwright-core)'/m;
const RELATIVE_IMPORT = /from '(\.{1,2}\/[^']+)'/g;

/** Whether `file`, or a fixture it imports (at any depth), imports what starts a process or a browser. */
function startsSomething(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  if (STARTS_SOMETHING.test(source)) return true;
  for (const [, specifier = ''] of source.matchAll(RELATIVE_IMPORT)) {
    const imported = `${join(dirname(file), specifier)}.ts`;
    if (imported.startsWith('test/fixtures/') && existsSync(imported) && startsSomething(imported, seen))
      return true;
  }
  return false;
}

/** Test files outside test/e2e, split by whether they start something. */
function nodeTestFiles(): { unit: string[]; integration: string[] } {
  const unit: string[] = [];
  const integration: string[] = [];
  for (const dir of NODE_TEST_DIRS) {
    for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const file = `${dir}/${entry}`;
      if (!file.endsWith('.test.ts') || file.startsWith('test/e2e/')) continue;
      (startsSomething(file) ? integration : unit).push(file);
    }
  }
  return { unit, integration };
}

const { unit, integration } = nodeTestFiles();

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'unit',
          include: unit,
          environment: 'node',
          testTimeout: 20_000,
          isolate: false,
        },
      },
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit-extension',
          include: ['extension/**/*.test.ts', 'extension/**/*.test.tsx'],
          // Isolated: the DOM tests share one document and the fake browser's state, which leak between files.
        },
      },
      {
        test: {
          name: 'integration',
          include: integration,
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/build-extension.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
