// The account cap of sign-in limits must not lock the owner out: a distributed guessing
// burst over real HTTP, then the owner from an address that signed in before, on every way of signing in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../server/store/sqlite-store';
import { ADMIN_PASSWORD, basic } from './fixtures/test-app';
import { startTestServer, type TestServer } from './fixtures/test-server';

const OWNER_ADDRESS = '198.51.100.7';
const ATTACKERS = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 1}`);

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-known-clients-'));
});
afterEach(async () => {
  await server?.stop();
  await server?.app.store.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A server on the SQLite file in `dir`; with `loopback` trusted, X-Forwarded-For names the client. */
async function start(): Promise<TestServer> {
  server = await startTestServer({
    store: openSqliteStore(join(dir, 'tokenward.sqlite')),
    app: { trustedProxies: ['loopback'] },
  });
  return server;
}

function login(s: TestServer, client: string, password: string) {
  return fetch(`${s.baseUrl}/fmerest/v3/login`, {
    method: 'POST',
    headers: { 'X-Forwarded-For': client, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password }),
  });
}
function basicInfo(s: TestServer, client: string, password: string) {
  return fetch(`${s.baseUrl}/fmerest/v3/info`, {
    headers: { 'X-Forwarded-For': client, Authorization: basic('admin', password) },
  });
}
function tokenService(s: TestServer, client: string, password: string) {
  const query = new URLSearchParams({ user: 'admin', password });
  return fetch(`${s.baseUrl}/fmetoken/generate?${query}`, { headers: { 'X-Forwarded-For': client } });
}

/** Five wrong passwords from each attacker address, spread over login, Basic and the token service. */
async function guessingBurst(s: TestServer): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const ways = [login, basicInfo, tokenService];
  const attempts = ATTACKERS.flatMap((address, a) =>
    Array.from(
      { length: 5 },
      (_, i) => () => (ways[(a + i) % ways.length] ?? login)(s, address, `guess ${a}-${i}`),
    ),
  );
  // A few at a time, as from several machines: more at once for one account are refused as a crowd (429).
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let attempt = attempts.shift(); attempt; attempt = attempts.shift()) {
        const res = await attempt();
        await res.body?.cancel();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

async function ownerStatuses(s: TestServer, client: string): Promise<number[]> {
  const answers = [
    await basicInfo(s, client, ADMIN_PASSWORD),
    await login(s, client, ADMIN_PASSWORD),
    await tokenService(s, client, ADMIN_PASSWORD),
  ];
  for (const res of answers) await res.body?.cancel();
  return answers.map((res) => res.status);
}

describe('a distributed guessing burst', () => {
  it('does not lock out the owner from an address that signed in before, even after a restart', async () => {
    let s = await start();
    expect((await login(s, OWNER_ADDRESS, ADMIN_PASSWORD)).status).toBe(201);
    // The known client is stored, not held in memory: a restarted server still knows it.
    await s.stop();
    await s.app.store.close();
    server = undefined;
    s = await start();

    const started = performance.now();
    const bursting = guessingBurst(s);
    // The owner signs in while the guessing goes on, on every way of signing in.
    const during: number[] = [];
    for (let round = 0; round < 3; round++) {
      during.push(...(await ownerStatuses(s, OWNER_ADDRESS)));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const burst = await bursting;
    const ms = Math.round(performance.now() - started);
    expect(burst.get(401)).toBe(100);
    expect(during).toEqual([200, 201, 200, 200, 201, 200, 200, 201, 200]);

    // The account cap is reached: a stranger with the right password waits...
    const stranger = await login(s, '192.0.2.200', ADMIN_PASSWORD);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('Retry-After'))).toBeGreaterThan(3000);
    // ...and the owner, from where they signed in before, does not.
    const owner = await ownerStatuses(s, OWNER_ADDRESS);
    console.log(
      `burst of ${ATTACKERS.length} addresses: ${JSON.stringify(Object.fromEntries(burst))} in ${ms} ms; ` +
        `owner from a known address during it: ${during.join(',')}; after it: Basic ${owner[0]}, ` +
        `login ${owner[1]}, token service ${owner[2]}`,
    );
    expect(owner).toEqual([200, 201, 200]);
  });

  it('still limits the known address itself, and forgets it after 30 days', async () => {
    const s = await start();
    expect((await login(s, OWNER_ADDRESS, ADMIN_PASSWORD)).status).toBe(201);
    // Its own per-client limit applies: six wrong passwords from it, and it must wait.
    for (let i = 0; i < 6; i++) expect((await login(s, OWNER_ADDRESS, 'wrong')).status).toBe(401);
    expect((await login(s, OWNER_ADDRESS, ADMIN_PASSWORD)).status).toBe(429);

    s.app.clock.advance(31 * 86400);
    await guessingBurst(s);
    expect((await login(s, OWNER_ADDRESS, ADMIN_PASSWORD)).status).toBe(429);
  });
});
