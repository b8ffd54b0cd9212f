// Two server processes on one PostgreSQL behave as one server: tokens, changes and limits agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msUntil } from './fixtures/agreement';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';
import { createTokenOverHttp } from './fixtures/test-server';

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
/**
 * Polls until the other instance agrees, and prints how long that took (a change is acknowledged only once every
 * instance agrees, so the first look should; test/revocation.test.ts asserts that under load). The cap is far
 * below the token cache's lifetimes (60 s for an unknown token and for a verified one), so only the change
 * notification can make it pass in time.
 */
async function agreement(what: string, check: () => Promise<boolean>): Promise<void> {
  const elapsed = await msUntil(performance.now(), check, { capMs: 5000 });
  console.log(`agreement after ${what}: ${elapsed.toFixed(1)} ms`);
}

describe('two instances on one PostgreSQL', () => {
  it('agree on a create, a disable, a removal and a demotion, with warm caches, long before any cache expires', async () => {
    const token = await createTokenOverHttp(a.baseUrl, admin, { name: 'shared' });
    await agreement('create', async () => (await info(b, token)) === 200);
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
    await agreement('disable', async () => (await info(a, token)) === 401);

    expect(
      (await fetch(`${a.baseUrl}/fmerest/v3/tokens/admin/shared`, json('PUT', { enabled: true }))).status,
    ).toBe(204);
    await agreement('enable', async () => (await info(b, token)) === 200);
    await warm();
    expect(
      (
        await fetch(`${a.baseUrl}/fmerest/v3/tokens/admin/shared`, {
          method: 'DELETE',
          headers: { Authorization: admin },
        })
      ).status,
    ).toBe(204);
    await agreement('remove', async () => (await info(b, token)) === 401);

    await fetch(
      `${a.baseUrl}/fmerest/v3/security/accounts`,
      json('POST', { name: 'otto', password: 'otto password', roles: ['fmeauthor'] }),
    );
    const otto = `Basic ${Buffer.from('otto:otto password').toString('base64')}`;
    const ottoToken = await createTokenOverHttp(b.baseUrl, otto, { name: 'otto' });
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
    let attempt = 0;
    await agreement('demotion', async () => (await createRepo(b, `After${++attempt}`)).status === 403);
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
