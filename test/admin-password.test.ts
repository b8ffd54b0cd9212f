// `npm run admin:password`: a lost admin password is set again from the command line, server stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionTokenSchema } from '../shared/schemas/session';
import { CreatedTokenSchema } from '../shared/schemas/token';
import { runCli } from './fixtures/cli-command';
import { type RunningServer, startServer } from './fixtures/server-process';

let dir: string;
let server: RunningServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-admin-password-'));
});
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the command with `input` on standard input (piped, as from `echo … |`). */
const adminPassword = (args: string[], input: string, env: Record<string, string> = {}) =>
  runCli('server/cli/admin-password.ts', args, { cwd: dir, input, env });

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('npm run admin:password', () => {
  it('sets a new password, ends the sessions, keeps API tokens, and refuses while the server runs', async () => {
    // The first start prints the generated password once; then it is "lost".
    server = await startServer({ LOG_REQUESTS: 'false' }, dir);
    const lost = /password (\S+) \(shown only this once\)/.exec(server.output())?.[1] ?? '';
    const call = (path: string, authorization: string, init: RequestInit = {}) =>
      fetch(`${server?.baseUrl}${path}`, { ...init, headers: { Authorization: authorization } });
    const session = v.parse(
      SessionTokenSchema,
      await (await call('/fmerest/v3/login', basic('admin', lost), { method: 'POST' })).json(),
    ).token;
    const apiToken = v.parse(
      CreatedTokenSchema,
      await (
        await fetch(`${server.baseUrl}/fmerest/v3/tokens`, {
          method: 'POST',
          headers: { Authorization: basic('admin', lost), 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'script' }),
        })
      ).json(),
    ).token;

    const whileRunning = await adminPassword([], 'a new admin password\n');
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.output).toMatch(/in use by another tokenward process/);
    expect((await call('/fmerest/v3/info', basic('admin', lost))).status).toBe(200);

    await server.stop('SIGTERM');
    const tooShort = await adminPassword([], 'short\n');
    expect(tooShort.code).toBe(1);
    expect(tooShort.output).toMatch(/at least 8 characters/);
    const nobody = await adminPassword(['--user', 'nobody'], 'a new admin password\n');
    expect(nobody.code).toBe(1);
    expect(nobody.output).toMatch(/There is no user "nobody"/);
    const changed = await adminPassword([], 'a new admin password\n');
    expect(changed.output).toMatch(/The password of "admin" is changed .*; 1 session ended/);
    expect(changed.code).toBe(0);
    expect(changed.output).not.toContain('a new admin password');

    server = await startServer({ LOG_REQUESTS: 'false' }, dir);
    expect((await call('/fmerest/v3/info', basic('admin', lost))).status).toBe(401);
    expect((await call('/fmerest/v3/info', basic('admin', 'a new admin password'))).status).toBe(200);
    expect((await call('/fmerest/v3/info', `fmetoken token=${session}`)).status).toBe(401);
    expect((await call('/fmerest/v3/info', `fmetoken token=${apiToken}`)).status).toBe(200);
    await server.stop('SIGTERM');

    // Or from ADMIN_PASSWORD, as the server's first start takes it.
    const fromEnvironment = await adminPassword([], '', { ADMIN_PASSWORD: 'the third admin password' });
    expect(fromEnvironment.code).toBe(0);
    server = await startServer({ LOG_REQUESTS: 'false' }, dir);
    expect((await call('/fmerest/v3/info', basic('admin', 'the third admin password'))).status).toBe(200);
  }, 90_000);
});
