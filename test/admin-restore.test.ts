// `npm run admin:restore`: an operator brings back an administrator from the command line (SQLite: server stopped),
// the account enabled and given fmeadmin, and its audit trail says who did it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountSchema } from '../shared/schemas/account';
import { AuditListSchema } from '../shared/schemas/audit';
import { runCli } from './fixtures/cli-command';
import { basic, call } from './fixtures/instance-http';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'restore test admin password';
const ADMIN = basic('admin', ADMIN_PASSWORD);
const OPS = basic('ops', 'ops password');

let dir: string;
let server: RunningServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-admin-restore-'));
});
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const start = () => startServer({ ADMIN_PASSWORD, LOG_REQUESTS: 'false' }, dir);
const restore = (...args: string[]) => runCli('server/cli/admin-restore.ts', args, { cwd: dir });

describe('npm run admin:restore', () => {
  it('enables the account and gives it fmeadmin, audited; refuses while the server owns the file', async () => {
    server = await start();
    const api = (method: string, path: string, authorization: string, body?: unknown) =>
      call(server?.baseUrl ?? '', method, `/fmerest/v3/security${path}`, authorization, body);
    const created = await api('POST', '/accounts', ADMIN, {
      name: 'ops',
      password: 'ops password',
      roles: ['fmeuser'],
      enabled: false,
    });
    expect(created.status).toBe(201);

    const whileRunning = await restore('--user', 'ops');
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.output).toMatch(/in use by another tokenward process/);
    expect((await api('GET', '/accounts/ops', ADMIN)).body).toMatchObject({
      enabled: false,
      roles: ['fmeuser'],
    });

    await server.stop('SIGTERM');
    const nobody = await restore('--user', 'nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.output).toMatch(/There is no user "nobody"/);
    const restored = await restore('--user', 'ops');
    expect(restored.output).toMatch(/"ops" is enabled and holds fmeadmin .*audit trail/);
    expect(restored.code).toBe(0);
    const again = await restore('--user', 'ops');
    expect(again.output).toMatch(/already enabled with fmeadmin .*nothing changed/);
    expect(again.code).toBe(0);

    server = await start();
    // ops signs in and manages users: it may change another account.
    expect(v.parse(AccountSchema, (await api('GET', '/accounts/ops', OPS)).body)).toMatchObject({
      enabled: true,
      roles: ['fmeuser', 'fmeadmin'],
    });
    expect((await api('PUT', '/accounts/admin', OPS, { enabled: false })).status).toBe(204);
    const trail = v.parse(AuditListSchema, (await api('GET', '/audit?user=ops', OPS)).body);
    expect(trail.items).toHaveLength(1);
    expect(trail.items[0]).toMatchObject({
      event: 'account_restored',
      user: 'ops',
      token: '',
      tokenType: null,
      actor: expect.stringMatching(/^admin:restore by .+ on .+$/),
      reason: 'was disabled with roles: fmeuser',
    });
  }, 60_000);
});
