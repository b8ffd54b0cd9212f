// `web-ext lint`, Mozilla's add-on linter, on the Firefox build: no error, and no warning of the project's own.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { FIREFOX_EXTENSION_DIR } from '../fixtures/firefox';

const LintMessageSchema = v.object({ code: v.string(), file: v.optional(v.string()), message: v.string() });
const LintReportSchema = v.object({
  errors: v.array(LintMessageSchema),
  warnings: v.array(LintMessageSchema),
  notices: v.array(LintMessageSchema),
});

/**
 * Warnings about code that is not ours, each with its reason. Preact's renderer assigns `innerHTML` when a
 * component passes `dangerouslySetInnerHTML`; the extension never does (checked below), so the assignment
 * never runs.
 */
const THIRD_PARTY: { code: string; file: RegExp; reason: string; marker: string }[] = [
  {
    code: 'UNSAFE_VAR_ASSIGNMENT',
    file: /^chunks\/[\w-]+\.js$/,
    reason: "Preact's dangerouslySetInnerHTML, which the extension never uses",
    marker: 'dangerouslySetInnerHTML',
  },
];

describe('web-ext lint on the Firefox build', () => {
  it('reports no error and no warning of the project’s own', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['web-ext', 'lint', '--source-dir', FIREFOX_EXTENSION_DIR, '--output', 'json', '--no-input'],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((failed: { stdout?: string }) => ({ stdout: failed.stdout ?? '' }));
    const report = v.parse(LintReportSchema, JSON.parse(stdout));
    expect(report.errors).toEqual([]);
    const own = report.warnings.filter(
      (warning) =>
        !THIRD_PARTY.some((known) => known.code === warning.code && known.file.test(warning.file ?? '')),
    );
    expect(own).toEqual([]);
    // A kept warning stays explained: the flagged file is the library code the reason names.
    for (const warning of report.warnings) {
      const known = THIRD_PARTY.find((entry) => entry.code === warning.code);
      if (known === undefined || warning.file === undefined) continue;
      const text = await readFile(join(FIREFOX_EXTENSION_DIR, warning.file), 'utf8');
      expect(text, known.reason).toContain(known.marker);
    }
    console.log(
      `web-ext lint: ${report.errors.length} errors, ${report.warnings.length} warnings (${report.warnings.length - own.length} third-party, kept with their reason), ${report.notices.length} notices`,
    );
  });

  it('asks for the Firefox versions that know every manifest key it uses', async () => {
    const manifest = JSON.parse(await readFile(join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'utf8'));
    // data_collection_permissions: Firefox 140 on desktop, 142 on Android.
    expect(manifest.browser_specific_settings).toMatchObject({
      gecko: { strict_min_version: '140.0' },
      gecko_android: { strict_min_version: '142.0' },
    });
  });
});
