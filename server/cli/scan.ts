// npm run scan -- [--report <server>] <paths…>: token values in files and folders; with --report, reported as leaked.
import { parseArgs } from 'node:util';
import { maskTokenValue, ReportError, reportLeakedValues, scanPaths } from '../scan/token-scan';

const USAGE =
  'Usage: npm run scan -- [--report <server>] <path>…\n' +
  'Prints path:line and a masked value for each token value found in the files and folders (recursively, without\n' +
  'node_modules, .git and binary files). Exit status: 0 none found, 1 some found, 2 the scan or report failed.\n' +
  'With --report https://tokens.example.com the values found are sent to its POST /fmerest/v3/tokens/revoke,\n' +
  'which disables the real ones.';

async function main(): Promise<number> {
  const { values: options, positionals: paths } = parseArgs({
    allowPositionals: true,
    options: { report: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (options.help || paths.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return options.help ? 0 : 2;
  }
  const findings = await scanPaths(paths);
  for (const { path, line, value } of findings)
    process.stdout.write(`${path}:${line}: ${maskTokenValue(value)}\n`);
  process.stdout.write(`${findings.length} token value${findings.length === 1 ? '' : 's'} found.\n`);
  if (options.report !== undefined && findings.length > 0) {
    const { sent, requests } = await reportLeakedValues(
      options.report,
      findings.map((finding) => finding.value),
    );
    process.stdout.write(
      `Reported ${sent} distinct value${sent === 1 ? '' : 's'} to ${options.report} in ${requests} request${requests === 1 ? '' : 's'}.\n`,
    );
  }
  return findings.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ReportError || (error instanceof Error && 'code' in error);
    process.stderr.write(
      `scan failed: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n${USAGE}\n`,
    );
    process.exitCode = 2;
  },
);
