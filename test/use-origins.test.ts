// Where a token was used, over HTTP: two server instances on one PostgreSQL record each new address of a token
// once, and its details show the last one with the client's family. A third instance, with no trusted proxy,
// takes the socket's address and ignores what X-Forwarded-For claims.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditListSchema } from '../shared/schemas/audit';
import { CreatedTokenSchema, TokenSchema } from '../shared/schemas/token';
import { basic, call, fmetoken, until } from './fixtures/instance-http';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'use origins admin password';
const ADMIN = basic('admin', ADMIN_PASSWORD);
let cluster: PostgresCluster;
let dir: string;
let a: RunningServer;
let b: RunningServer;
let direct: RunningServer;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase('use_origins');
  dir = mkdtempSync(join(tmpdir(), 'tokenward-use-origins-'));
  const env = { DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' };
  [a, b, direct] = await Promise.all([
    startServer({ ...env, TRUSTED_PROXIES: 'loopback' }, dir),
    startServer({ ...env, TRUSTED_PROXIES: 'loopback' }, dir),
    startServer({ ...env, TRUSTED_PROXIES: '' }, dir),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL'), direct?.stop('SIGKILL')]);
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function createToken(name: string): Promise<string> {
  const res = await call(a.baseUrl, 'POST', '/fmerest/v3/tokens', ADMIN, { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return v.parse(CreatedTokenSchema, res.body).token;
}

async function use(server: RunningServer, value: string, from: string, userAgent: string): Promise<void> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/repositories`, {
    headers: { Authorization: fmetoken(value), 'X-Forwarded-For': from, 'User-Agent': userAgent },
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

async function details(name: string) {
  const res = await call(a.baseUrl, 'GET', `/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`, ADMIN);
  return v.parse(TokenSchema, res.body);
}

async function firstUses(name: string) {
  const res = await call(
    a.baseUrl,
    'GET',
    `/fmerest/v3/security/audit?token=${encodeURIComponent(name)}&limit=-1`,
    ADMIN,
  );
  return v.parse(AuditListSchema, res.body).items.filter((event) => event.event === 'used_from_new_address');
}

describe('where a token was used, across two instances', () => {
  it('records each new address once, however many instances see it, and shows the last one', async () => {
    const value = await createToken('two instances');
    const ROUNDS = 4;
    for (let round = 1; round <= ROUNDS; round++) {
      // Two addresses of one /64 per round, each sent to both instances at once.
      const here = `2001:db8:${round}:7::1`;
      const there = `2001:db8:${round}:7::2`;
      await Promise.all([
        ...Array.from({ length: 5 }, () => use(a, value, here, 'curl/8.5.0')),
        ...Array.from({ length: 5 }, () => use(b, value, there, 'curl/8.5.0')),
      ]);
      await until(
        `round ${round} written`,
        async () => (await details('two instances')).lastUsedAddress === `2001:db8:${round}:7::/64`,
        5000,
      );
    }
    // Both instances' batches are written (a second at most each) before the trail is read.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const events = await firstUses('two instances');
    expect(events.map((event) => event.client).sort()).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => `2001:db8:${i + 1}:7::/64`),
    );
    expect(events.every((event) => event.reason === 'curl' && event.actor === null)).toBe(true);
    expect(await details('two instances')).toMatchObject({ lastUsedClient: 'curl' });
  }, 60_000);

  it("shows an IPv4 address as it is, and a lease's use as its parent's", async () => {
    const value = await createToken('leased');
    const lease = await call(
      a.baseUrl,
      'POST',
      '/fmerest/v3/tokens/admin/leased/leases',
      fmetoken(value),
      {},
    );
    expect(lease.status, JSON.stringify(lease.body)).toBe(201);
    const leased = v.parse(v.object({ token: v.string() }), lease.body).token;
    await use(b, leased, '203.0.113.44', 'python-requests/2.32.3');
    await until(
      'the lease use written',
      async () => (await details('leased')).lastUsedAddress === '203.0.113.44',
    );
    expect(await details('leased')).toMatchObject({ lastUsedClient: 'Python requests' });
    // Minting the lease was the token's first use (from this test's own address); the lease's, the second.
    await until('the first use recorded', async () =>
      (await firstUses('leased')).some(
        (event) => event.client === '203.0.113.44' && event.reason === 'Python requests',
      ),
    );
  }, 30_000);

  it('takes the socket address where no proxy is trusted', async () => {
    const value = await createToken('direct');
    await use(direct, value, '198.51.100.200', 'Go-http-client/1.1');
    await until('the use written', async () => (await details('direct')).lastUsedAddress !== null);
    expect(await details('direct')).toMatchObject({ lastUsedAddress: '127.0.0.1', lastUsedClient: 'Go' });
  }, 30_000);
});
