// Two server processes on one PostgreSQL behave as one server (issue 8): tokens, changes and limits agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'shared admin password';
const admin = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
let cluster: PostgresCluster;
let dir: string;
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase('shared');
  dir = mkdtempSync(join(tmpdir(), 'tokenward-multi-'));
  // Both start at once, as a deployment would: one creates the admin, the other finds it.
  [a, b] = await Promise.all([
    startServer({ DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' }, dir),
    startServer({ DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' }, dir),
  ]);
}, 60_000);
afterAll(async () => {
  await a?.stop('SIGKILL');
  await b?.stop('SIGKILL');
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const json = (method: string, body: unknown, authorization = admin): RequestInit => ({
  method,
  headers: { Authorization: authorization, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const info = async (server: RunningServer, token: string) =>
  (
    await fetch(`${server.baseUrl}/fmerest/v3/info`, {
      headers: { Authorization: `fmetoken token=${token}` },
    })
  ).status;
async function createToken(server: RunningServer, name: string, authorization = admin): Promise<string> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens`, json('POST', { name }, authorization));
  expect(res.status).toBe(201);
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string')
    throw new Error();
  return body.token;
}
/** Milliseconds from `start` until `check` holds, polling; fails after 2 s. */
async function msUntil(start: number, check: () => Promise<boolean>, what = ''): Promise<number> {
  while (!(await check())) {
    if (performance.now() - start > 2000) throw new Error('the instances did not agree within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = performance.now() - start;
  if (what) console.log(`agreement after ${what}: ${elapsed.toFixed(1)} ms`);
  return elapsed;
}

describe('two instances on one PostgreSQL', () => {
  it('agree within 100 ms on a create, a disable, a removal and a demotion, with warm caches', async () => {
    const token = await createToken(a, 'shared');
    let start = performance.now();
    expect(await msUntil(start, async () => (await info(b, token)) === 200, 'create')).toBeLessThan(100);
    // Both instances have now verified (and cached) the token; a change on one must reach the other's cache.
    const warm = async () => {
      for (let i = 0; i < 3; i++) {
        expect(await info(a, token)).toBe(200);
        expect(await info(b, token)).toBe(200);
      }
    };
    await warm();

    expect(
      (await fetch(`${b.baseUrl}/fmerest/v3/tokens/admin/shared`, json('PUT', { enabled: false }))).status,
    ).toBe(204);
    start = performance.now();
    expect(await msUntil(start, async () => (await info(a, token)) === 401, 'disable')).toBeLessThan(100);

    expect(
      (await fetch(`${a.baseUrl}/fmerest/v3/tokens/admin/shared`, json('PUT', { enabled: true }))).status,
    ).toBe(204);
    start = performance.now();
    expect(await msUntil(start, async () => (await info(b, token)) === 200)).toBeLessThan(100);
    await warm();
    expect(
      (
        await fetch(`${a.baseUrl}/fmerest/v3/tokens/admin/shared`, {
          method: 'DELETE',
          headers: { Authorization: admin },
        })
      ).status,
    ).toBe(204);
    start = performance.now();
    expect(await msUntil(start, async () => (await info(b, token)) === 401, 'remove')).toBeLessThan(100);

    await fetch(
      `${a.baseUrl}/fmerest/v3/security/accounts`,
      json('POST', { name: 'otto', password: 'otto password', roles: ['fmeauthor'] }),
    );
    const otto = `Basic ${Buffer.from('otto:otto password').toString('base64')}`;
    const ottoToken = await createToken(b, 'otto', otto);
    const createRepo = (server: RunningServer, name: string) =>
      fetch(
        `${server.baseUrl}/fmerest/v3/repositories`,
        json('POST', { name }, `fmetoken token=${ottoToken}`),
      );
    expect((await createRepo(b, 'Before')).status).toBe(201);
    expect((await createRepo(b, 'Before2')).status).toBe(201);
    expect(
      (await fetch(`${a.baseUrl}/fmerest/v3/security/accounts/otto`, json('PUT', { roles: ['fmeuser'] })))
        .status,
    ).toBe(204);
    start = performance.now();
    let attempt = 0;
    expect(
      await msUntil(start, async () => (await createRepo(b, `After${++attempt}`)).status === 403, 'demotion'),
    ).toBeLessThan(100);
  });

  it('count failed sign-ins together', async () => {
    const wrong = `Basic ${Buffer.from('admin:wrong guess').toString('base64')}`;
    for (const server of [a, b, a, b, a, b]) {
      expect(
        (await fetch(`${server.baseUrl}/fmerest/v3/info`, { headers: { Authorization: wrong } })).status,
      ).toBe(401);
    }
    // Six failures from this client for admin, spread over both instances: the next attempt anywhere waits.
    const res = await fetch(`${a.baseUrl}/fmerest/v3/info`, { headers: { Authorization: admin } });
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('1');
  });
});
