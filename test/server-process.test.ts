// The real server process: start-up, the curl-style token flow, secrets kept out of logs and files, crashes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failToStart, type RunningServer, startServer } from './fixtures/server-process';
import { createTokenOverHttp } from './fixtures/test-server';

let dir: string;
let server: RunningServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-process-'));
});
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const basicHeader = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the server process', () => {
  it('starts on an empty folder, prints the generated admin password once, and serves tokens', async () => {
    server = await startServer({}, dir);
    const password = /password (\S+) \(shown only this once\)/.exec(server.output())?.[1];
    expect(password).toBeDefined();
    expect(server.output()).toMatch(/started in \d+ ms/);
    const admin = basicHeader('admin', password ?? '');
    const value = await createTokenOverHttp(server.baseUrl, admin, {
      name: 'curl token',
      expirationTimeout: 3600,
    });

    const byHeader = await fetch(`${server.baseUrl}/fmerest/v3/info`, {
      headers: { Authorization: `fmetoken token=${value}` },
    });
    expect(byHeader.status).toBe(200);
    const byQuery = await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`);
    expect(byQuery.status).toBe(200);

    const tokenUrl = `${server.baseUrl}/fmerest/v3/tokens/admin/curl%20token`;
    const listText = await (
      await fetch(`${server.baseUrl}/fmerest/v3/tokens`, { headers: { Authorization: admin } })
    ).text();
    const getText = await (await fetch(tokenUrl, { headers: { Authorization: admin } })).text();
    expect(listText).toContain('curl token');
    expect(listText).not.toContain(value);
    expect(getText).not.toContain(value);

    const disable = await fetch(tokenUrl, {
      method: 'PUT',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(disable.status).toBe(204);
    expect((await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`)).status).toBe(401);
    await fetch(tokenUrl, {
      method: 'PUT',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect((await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`)).status).toBe(200);
    expect((await fetch(tokenUrl, { method: 'DELETE', headers: { Authorization: admin } })).status).toBe(204);
    expect((await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`)).status).toBe(401);

    const log = server.output();
    expect(log).toContain('"path":"/fmerest/v3/info"');
    expect(log).not.toContain(value);
    expect(log).not.toContain('Basic ');

    // Neither the database nor its WAL holds the value, only its digest.
    await server.stop('SIGKILL');
    server = undefined;
    const files = readdirSync(join(dir, 'data'));
    expect(files).toContain('tokenward.sqlite');
    for (const file of files) expect(readFileSync(join(dir, 'data', file)).includes(value)).toBe(false);
  });

  it('keeps ADMIN_PASSWORD out of its output and does not recreate the admin on the next start', async () => {
    const password = 'a chosen admin password';
    server = await startServer({ ADMIN_PASSWORD: password }, dir);
    expect(server.output()).not.toContain(password);
    expect(server.output()).not.toContain('shown only this once');
    await createTokenOverHttp(server.baseUrl, basicHeader('admin', password), {
      name: 'x',
      expirationTimeout: 3600,
    });
    await server.stop();
    server = await startServer({ ADMIN_PASSWORD: 'another password' }, dir);
    const info = await fetch(`${server.baseUrl}/fmerest/v3/info`, {
      headers: { Authorization: basicHeader('admin', password) },
    });
    expect(info.status).toBe(200);
  });

  it('keeps every acknowledged token after kill -9', async () => {
    const password = 'a chosen admin password';
    server = await startServer({ ADMIN_PASSWORD: password }, dir);
    const admin = basicHeader('admin', password);
    const values: string[] = [];
    for (let i = 0; i < 20; i++)
      values.push(
        await createTokenOverHttp(server.baseUrl, admin, { name: `token ${i}`, expirationTimeout: 3600 }),
      );
    expect(await server.stop('SIGKILL')).toBeNull();
    server = await startServer({}, dir);
    for (const value of values) {
      const res = await fetch(`${server.baseUrl}/fmerest/v3/info`, {
        headers: { Authorization: `fmetoken token=${value}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it('refuses to start on a corrupt database and leaves it as it was', async () => {
    const path = join(dir, 'broken.sqlite');
    const garbage = Buffer.from('definitely not SQLite '.repeat(500));
    writeFileSync(path, garbage);
    const { code, output } = await failToStart({ DATABASE_URL: `sqlite:${path}` }, dir);
    expect(code).toBe(1);
    expect(output).toContain('tokenward cannot start');
    expect(output).toContain(`The database ${path} cannot be opened`);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('refuses to start on invalid configuration, naming the variable', async () => {
    const { code, output } = await failToStart({ PORT: 'eighty' }, dir);
    expect(code).toBe(1);
    expect(output).toContain('PORT: must be a port number');
  });
});
