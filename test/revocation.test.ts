// A revocation is acknowledged only once no instance accepts the old credential: two servers on one PostgreSQL,
// one hammered while the other revokes, and one whose invalidation listener is frozen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hammer, msUntil } from './fixtures/agreement';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';
import { basic, fmetoken } from './fixtures/test-app';
import { createTokenOverHttp } from './fixtures/test-server';

const ADMIN_PASSWORD = 'revocation admin password';
/** Trials of each kind of revocation. */
const TRIALS = Number(process.env.REVOCATION_TRIALS ?? 10);
/** The servers' default cache lease (CACHE_LEASE_SECONDS). */
const LEASE_MS = 1000;

let cluster: PostgresCluster;
let url: string;
let dir: string;
let a: RunningServer;
let b: RunningServer;
let bListener: number;
/** The admin's API token: revocations are made with it (no password hashing per trial). */
let admin: string;

/** Backends listening for invalidations (their last statement was LISTEN). */
async function listenerPids(): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

async function sql(text: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('revocation');
  dir = mkdtempSync(join(tmpdir(), 'tokenward-revocation-'));
  const env = { DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' };
  a = await startServer(env, dir);
  admin = fmetoken(await createTokenOverHttp(a.baseUrl, basic('admin', ADMIN_PASSWORD), { name: 'revoker' }));
  await msUntil(performance.now(), async () => (await listenerPids()).length === 1, { capMs: 10_000 });
  const [aListener] = await listenerPids();
  // B starts second, so its listener is the one that was not there before.
  b = await startServer(env, dir);
  await msUntil(performance.now(), async () => (await listenerPids()).length === 2, { capMs: 10_000 });
  const found = (await listenerPids()).find((pid) => pid !== aListener);
  if (found === undefined) throw new Error("B's listener was not found");
  bListener = found;
}, 60_000);
afterAll(async () => {
  await a?.stop('SIGKILL');
  await b?.stop('SIGKILL');
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = (server: RunningServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.baseUrl}/fmerest/v3${path}`, init);
const withJson = (method: string, authorization: string, body: unknown): RequestInit => ({
  method,
  headers: { Authorization: authorization, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const statusOf = async (answer: Promise<Response>) => {
  const response = await answer;
  await response.arrayBuffer();
  return response.status;
};
/** What a credential may do: GET /info, answered 200 while it is valid. */
const info = (server: RunningServer, authorization: string) =>
  statusOf(call(server, '/info', { headers: { Authorization: authorization } }));

async function createAccount(name: string, roles: string[]): Promise<string> {
  const password = `password of ${name}`;
  expect(
    await statusOf(call(a, '/security/accounts', withJson('POST', admin, { name, password, roles }))),
  ).toBe(201);
  return password;
}

async function signIn(name: string, password: string): Promise<string> {
  const login = await call(a, '/login', withJson('POST', basic(name, password), {}));
  expect(login.status).toBe(201);
  return fmetoken(v.parse(v.object({ token: v.string() }), await login.json()).token);
}

/** An account and an API token of theirs. */
async function accountWithToken(name: string, roles = ['fmeuser']): Promise<string> {
  const password = await createAccount(name, roles);
  return fmetoken(await createTokenOverHttp(a.baseUrl, basic(name, password), { name: 'theirs' }));
}

interface Revocation {
  /** The request the credential may make until the revocation: 200 before, `refused` after. */
  request(server: RunningServer): Promise<number>;
  refused: number;
  revoke(server: RunningServer): Promise<number>;
}

/** Once per kind: a way to make the credential valid again for trial `i` (undoing the last revocation, where one can). */
const revocations: Record<string, () => Promise<(i: number) => Promise<Revocation>>> = {
  'token disabled': async () => {
    const token = fmetoken(await createTokenOverHttp(a.baseUrl, admin, { name: 'disabled' }));
    const enabled = (server: RunningServer, value: boolean) =>
      statusOf(call(server, '/tokens/admin/disabled', withJson('PUT', admin, { enabled: value })));
    return async () => {
      expect(await enabled(a, true)).toBe(204);
      return {
        request: (server) => info(server, token),
        refused: 401,
        revoke: (server) => enabled(server, false),
      };
    };
  },
  'token removed': async () => async (i) => {
    const name = `removed ${i}`;
    const token = fmetoken(await createTokenOverHttp(a.baseUrl, admin, { name }));
    return {
      request: (server) => info(server, token),
      refused: 401,
      revoke: (server) =>
        statusOf(
          call(server, `/tokens/admin/${encodeURIComponent(name)}`, {
            method: 'DELETE',
            headers: { Authorization: admin },
          }),
        ),
    };
  },
  'role taken away': async () => {
    const token = await accountWithToken('manager', ['fmeadmin']);
    const roles = (server: RunningServer, value: string[]) =>
      statusOf(call(server, '/security/accounts/manager', withJson('PUT', admin, { roles: value })));
    return async () => {
      expect(await roles(a, ['fmeadmin'])).toBe(204);
      return {
        // Listing accounts needs usermanagement:manage, which fmeuser lacks.
        request: (server) =>
          statusOf(call(server, '/security/accounts', { headers: { Authorization: token } })),
        refused: 403,
        revoke: (server) => roles(server, ['fmeuser']),
      };
    };
  },
  'password changed': async () => {
    let password = await createAccount('changing', ['fmeuser']);
    return async (i) => {
      const session = await signIn('changing', password);
      password = `new password ${i}`;
      const changed = password;
      return {
        request: (server) => info(server, session),
        refused: 401,
        revoke: (server) =>
          statusOf(
            call(server, '/security/accounts/changing', withJson('PUT', admin, { password: changed })),
          ),
      };
    };
  },
  'account disabled': async () => {
    const token = await accountWithToken('disabled');
    const enabled = (server: RunningServer, value: boolean) =>
      statusOf(call(server, '/security/accounts/disabled', withJson('PUT', admin, { enabled: value })));
    return async () => {
      expect(await enabled(a, true)).toBe(204);
      return {
        request: (server) => info(server, token),
        refused: 401,
        revoke: (server) => enabled(server, false),
      };
    };
  },
  'account removed': async () => async (i) => {
    const name = `removed${i}`;
    const token = await accountWithToken(name);
    return {
      request: (server) => info(server, token),
      refused: 401,
      revoke: (server) =>
        statusOf(
          call(server, `/security/accounts/${name}`, { method: 'DELETE', headers: { Authorization: admin } }),
        ),
    };
  },
  'signed out': async () => {
    const password = await createAccount('leaving', ['fmeuser']);
    return async () => {
      const session = await signIn('leaving', password);
      return {
        request: (server) => info(server, session),
        refused: 401,
        revoke: (server) =>
          statusOf(call(server, '/logout', { method: 'POST', headers: { Authorization: session } })),
      };
    };
  },
};

describe('a revocation on one instance (two servers on one PostgreSQL)', () => {
  it(`is refused by the other for every request sent after its 2xx, over ${TRIALS} trials of each kind, while that one is busy`, async () => {
    const late: Record<string, number> = {};
    const sentAfter: Record<string, number> = {};
    for (const [kind, setUp] of Object.entries(revocations)) {
      late[kind] = 0;
      sentAfter[kind] = 0;
      const prepare = await setUp();
      for (let i = 0; i < TRIALS; i++) {
        const revocation = await prepare(i);
        // B has verified the credential, so it holds it in its cache.
        await msUntil(performance.now(), async () => (await revocation.request(b)) === 200);
        const shots = hammer(() => revocation.request(b), 8);
        await shots.sent(4);
        expect(await revocation.revoke(a)).toBeLessThan(300);
        const acknowledgedAt = performance.now();
        // A burst the moment the 2xx is in, besides the loops: the requests most likely to find B behind.
        const burst = await Promise.all(
          Array.from({ length: 8 }, async () => ({
            startedAt: performance.now(),
            status: await revocation.request(b),
          })),
        );
        await shots.sent(16, acknowledgedAt);
        await shots.stop();
        const after = [...burst, ...shots.shots.filter((shot) => shot.startedAt > acknowledgedAt)];
        late[kind] += after.filter((shot) => shot.status === 200).length;
        sentAfter[kind] += after.length;
        // Refused as the credential's new state says, never an error of the server's.
        expect(after.filter((shot) => shot.status !== 200 && shot.status !== revocation.refused)).toEqual([]);
      }
    }
    console.log('requests B accepted after the revocation on A was acknowledged:', late, 'of', sentAfter);
    expect(late).toEqual(Object.fromEntries(Object.keys(revocations).map((kind) => [kind, 0])));
  }, 120_000);

  it('waits for an instance whose listener is frozen to stop trusting its cache (within the lease), and that instance asks the store', async () => {
    const asked = fmetoken(await createTokenOverHttp(a.baseUrl, admin, { name: 'behind the back' }));
    const revoked = fmetoken(await createTokenOverHttp(a.baseUrl, admin, { name: 'revoked while frozen' }));
    for (const token of [asked, revoked]) {
      expect(await info(b, token)).toBe(200);
      expect(await info(b, token)).toBe(200);
    }
    process.kill(bListener, 'SIGSTOP');
    const frozenAt = performance.now();
    try {
      // Written past every cache, with no message: only B's asking the store can show it.
      await sql(`UPDATE tokens SET enabled = false WHERE name = $1`, ['behind the back']);
      const [untrustedMs, acknowledgedMs] = await Promise.all([
        msUntil(frozenAt, async () => (await info(b, asked)) === 401, { capMs: 20_000 }),
        (async () => {
          const status = await statusOf(
            call(
              a,
              `/tokens/admin/${encodeURIComponent('revoked while frozen')}`,
              withJson('PUT', admin, { enabled: false }),
            ),
          );
          expect(status).toBe(204);
          const acknowledged = performance.now() - frozenAt;
          expect(await info(b, revoked)).toBe(401);
          return acknowledged;
        })(),
      ]);
      console.log(
        `B's listener frozen: B stopped answering from its cache after ${untrustedMs.toFixed(0)} ms; ` +
          `a revocation on A was acknowledged after ${acknowledgedMs.toFixed(0)} ms`,
      );
      // The lease, with room for a loaded machine; on a dead channel noticed only by TCP, this took seconds.
      expect(untrustedMs).toBeLessThan(LEASE_MS + 1000);
      expect(acknowledgedMs).toBeLessThan(LEASE_MS + 1000);
    } finally {
      process.kill(bListener, 'SIGCONT');
    }
    // Back: B trusts its cache again (a change written past it is not seen until the next refresh), and a
    // revocation on A reaches it.
    const again = fmetoken(await createTokenOverHttp(a.baseUrl, admin, { name: 'after the thaw' }));
    const enabledInSql = (enabled: boolean) =>
      sql(`UPDATE tokens SET enabled = $1 WHERE name = $2`, [enabled, 'after the thaw']);
    // Until B caches the token and trusts its cache again (a lookup that met B's backlog of messages is not
    // kept), each try verifies it on B, disables it behind the caches' backs, and asks B again.
    await msUntil(
      performance.now(),
      async () => {
        await enabledInSql(true);
        await info(b, again);
        await enabledInSql(false);
        return (await info(b, again)) === 200;
      },
      // B's channel is made again after its listener was given up, with a pause that doubles up to 5 s: on a
      // loaded machine trust came back after more than 5 s. What is measured here is that it comes back at all.
      { capMs: 15_000 },
    );
    expect(
      await statusOf(
        call(a, `/tokens/admin/${encodeURIComponent('after the thaw')}`, {
          method: 'DELETE',
          headers: { Authorization: admin },
        }),
      ),
    ).toBe(204);
    expect(await info(b, again)).toBe(401);
  }, 60_000);
});
