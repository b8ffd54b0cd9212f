// `npm run scan`: token values found in files, printed masked, and with --report disabled on a real server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenSchema } from '../shared/schemas/token';
import { createTokenValue } from '../shared/token-format';
import { runCli } from './fixtures/cli-command';
import { basic, fmetoken } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let dir: string;
let server: TestServer | undefined;
const UMA = basic('uma', 'uma password');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-scan-cli-'));
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const scan = (args: string[]) => runCli('server/cli/scan.ts', args, { cwd: dir });

describe('npm run scan', () => {
  it('prints path:line and a masked value for each value found, and exits 1; 0 when none', async () => {
    const value = createTokenValue();
    const mangled = `${value.slice(0, 39)}${value.endsWith('0') ? '1' : '0'}`;
    mkdirSync(join(dir, 'repo', 'node_modules'), { recursive: true });
    writeFileSync(
      join(dir, 'repo', 'deploy.sh'),
      `#!/bin/sh\ncurl -H "Authorization: fmetoken token=${value}"\n`,
    );
    writeFileSync(join(dir, 'repo', 'notes.txt'), `${mangled}\n${value.slice(1)}\n${value}0\nabc${value}\n`);
    writeFileSync(join(dir, 'repo', 'node_modules', 'vendored.js'), value);

    const found = await scan(['repo']);
    expect(found.output).toBe(
      `repo/deploy.sh:2: ${value.slice(0, 4)}…${value.slice(-4)}\n1 token value found.\n`,
    );
    expect(found.code).toBe(1);
    expect(found.output).not.toContain(value.slice(4, 36));

    const clean = await scan(['repo/notes.txt']);
    expect(clean).toEqual({ code: 0, output: '0 token values found.\n' });
    const missing = await scan(['nowhere']);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/scan failed: ENOENT/);
  });

  it('with --report, sends the values in batches of 100; the server then refuses the token and shows it exposed', async () => {
    server = await startTestServer();
    await server.app.addUser('uma', 'uma password');
    const leaked = await createTokenOverHttp(server.baseUrl, UMA, { name: 'leaked' });
    const kept = await createTokenOverHttp(server.baseUrl, UMA, { name: 'kept' });
    const info = async (value: string) =>
      (await fetch(`${server?.baseUrl}/fmerest/v3/info`, { headers: { Authorization: fmetoken(value) } }))
        .status;
    expect(await info(leaked)).toBe(200);
    // The leaked value twice, and 150 well-formed values no server knows: 151 distinct, 2 requests.
    const others = Array.from({ length: 150 }, () => createTokenValue());
    writeFileSync(join(dir, 'build.log'), `token ${leaked}\n${others.join('\n')}\n`);
    writeFileSync(join(dir, 'copy.log'), `again: ${leaked}\n`);

    const result = await scan(['--report', server.baseUrl, 'build.log', 'copy.log']);
    expect(result.output).toContain('152 token values found.');
    expect(result.output).toContain(`Reported 151 distinct values to ${server.baseUrl} in 2 requests.`);
    expect(result.output).not.toContain(leaked);
    expect(result.code).toBe(1);

    expect(await info(leaked)).toBe(401);
    expect(await info(kept)).toBe(200);
    const details = v.parse(
      TokenSchema,
      await (
        await fetch(`${server.baseUrl}/fmerest/v3/tokens/uma/leaked`, { headers: { Authorization: UMA } })
      ).json(),
    );
    expect(details).toMatchObject({ enabled: false, exposed: true });
  });

  it('says so and exits 2 when the server does not take the report', async () => {
    server = await startTestServer();
    writeFileSync(join(dir, 'a.txt'), createTokenValue());
    const result = await scan(['--report', `${server.baseUrl}/not-here/`, 'a.txt']);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/answered 404 after 0 of the values were sent/);
  });
});
