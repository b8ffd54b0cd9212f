// The rules the store holds, raced with real parallel requests over two server instances on one PostgreSQL:
// the token cap, the session cap, sign-ins racing an account change, and the last account that manages users.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditListSchema } from '../shared/schemas/audit';
import { ErrorBodySchema } from '../shared/schemas/error';
import { CreatedTokenSchema } from '../shared/schemas/token';
import { createTokenValue } from '../shared/token-format';
import { runCli } from './fixtures/cli-command';
import { basic, call, fmetoken, SIGN_IN_WAYS, signIn, statusWith, until } from './fixtures/instance-http';
import type { RunningServer } from './fixtures/server-process';
import { ACCOUNT_CHANGES, raceSignInsAgainstChange } from './fixtures/sign-in-race';
import { startTwoInstances, type TwoInstances } from './fixtures/two-instances';

const ADMIN_PASSWORD = 'invariants admin password';
const MAX_SESSIONS = 5;
let instances: TwoInstances;
let dir: string;
let a: RunningServer;
let b: RunningServer;
let db: pg.Client;
let url: string;
/** An unrestricted API token of admin. */
let admin: string;

beforeAll(async () => {
  instances = await startTwoInstances('invariants', {
    ADMIN_PASSWORD,
    MAX_SESSIONS_PER_USER: String(MAX_SESSIONS),
  });
  ({ a, b, db } = instances);
  url = instances.url;
  dir = instances.dir;
  admin = await apiToken(a, 'admin', ADMIN_PASSWORD, 'invariants');
}, 60_000);
afterAll(() => instances?.stop());

const api = (server: RunningServer, method: string, path: string, authorization?: string, body?: unknown) =>
  call(server.baseUrl, method, `/fmerest/v3${path}`, authorization, body);

/** A new unrestricted API token of the user, made with their password. */
async function apiToken(server: RunningServer, user: string, password: string, name: string) {
  const res = await api(server, 'POST', '/tokens', basic(user, password), { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return fmetoken(v.parse(CreatedTokenSchema, res.body).token);
}

async function createAccount(name: string, password: string, roles: string[]) {
  const res = await api(a, 'POST', '/security/accounts', admin, { name, password, roles });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { rows } = await db.query('SELECT id::int AS id FROM users WHERE name = $1', [name]);
  return v.parse(v.object({ id: v.number() }), rows[0]).id;
}

const count = async (query: string, values: unknown[]) =>
  v.parse(v.object({ n: v.number() }), (await db.query(query, values)).rows[0]).n;

const digestOf = (value: string) => createHash('sha256').update(value).digest('hex');

describe('the token cap across two instances', () => {
  it('ends at exactly MAX_TOKENS_PER_USER when 50 creates race over both at 975 tokens, round after round', async () => {
    const id = await createAccount('capper', 'capper password', ['fmeuser']);
    // 975 tokens straight into the store: the race is about the last 25 places, not about the first 975.
    await db.query(
      `INSERT INTO tokens (user_id, name, type, source, digest, enabled, restricted, created_at, saved_at, expires_at)
       SELECT $1, 'seed ' || g, 'USER', 'api', 'seed digest ' || g, TRUE, FALSE, 0, 0, 4000000000
       FROM generate_series(1, 975) g`,
      [id],
    );
    const signedIn = await signIn(a.baseUrl, 'web', 'capper', 'capper password', '10.0.0.1');
    const session = fmetoken(signedIn.token ?? '');
    for (let round = 1; round <= 5; round++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api(i % 2 === 0 ? a : b, 'POST', '/tokens', session, { name: `race ${round} ${i}` }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.filter((status) => status === 201),
        `round ${round}: ${statuses.join(' ')}`,
      ).toHaveLength(25);
      for (const refused of answers.filter((answer) => answer.status !== 201)) {
        expect(refused.status).toBe(409);
        expect(v.parse(ErrorBodySchema, refused.body).code).toBe('TOKEN_LIMIT');
      }
      const query = "SELECT count(*)::int AS n FROM tokens WHERE user_id = $1 AND type = 'USER'";
      expect(await count(query, [id]), `round ${round}`).toBe(1000);
      const listed = await api(b, 'GET', '/tokens?type=USER&limit=0', session);
      expect(listed.body).toMatchObject({ totalCount: 1000 });
      await db.query("DELETE FROM tokens WHERE user_id = $1 AND name LIKE 'race %'", [id]);
    }
  });
});

describe('the session cap across two instances', () => {
  it(`keeps ${MAX_SESSIONS} sessions when 16 sign-ins of every kind race over both, each answered, the oldest ended and audited`, async () => {
    const id = await createAccount('sessy', 'sessy password', ['fmeguest']);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        signIn(
          (i % 2 === 0 ? a : b).baseUrl,
          SIGN_IN_WAYS[i % SIGN_IN_WAYS.length] ?? 'web',
          'sessy',
          'sessy password',
          `10.9.${i}.1`,
        ),
      ),
    );
    // The newest sign-in always works: none is refused for the cap.
    expect(answers.map((answer) => answer.status).every((status) => status === 200 || status === 201)).toBe(
      true,
    );
    const sessions = "SELECT count(*)::int AS n FROM tokens WHERE user_id = $1 AND type = 'SESSION'";
    expect(await count(sessions, [id])).toBe(MAX_SESSIONS);
    const values = answers.map((answer) => answer.token ?? '');
    const working = async () => {
      const statuses = await Promise.all(values.map((value) => statusWith(b.baseUrl, value)));
      return statuses.filter((status) => status === 200).length;
    };
    await until('the ended sessions are refused', async () => (await working()) === MAX_SESSIONS, 2000);

    // One more: the oldest of the five ends, the new one works, and there are still five.
    const { rows } = await db.query(
      "SELECT digest FROM tokens WHERE user_id = $1 AND type = 'SESSION' ORDER BY created_at, id LIMIT 1",
      [id],
    );
    const oldest = values.find((value) => digestOf(value) === rows[0]?.digest) ?? '';
    expect(await statusWith(a.baseUrl, oldest)).toBe(200);
    const newest = await signIn(a.baseUrl, 'web', 'sessy', 'sessy password', '10.9.99.1');
    expect(newest.status).toBe(201);
    expect(await statusWith(b.baseUrl, newest.token ?? '')).toBe(200);
    expect(await count(sessions, [id])).toBe(MAX_SESSIONS);
    for (const server of [a, b])
      await until(
        'the oldest session is refused',
        async () => (await statusWith(server.baseUrl, oldest)) === 401,
      );

    // Each ended session has its audit event, committed with the sign-in that ended it.
    const trail = await api(a, 'GET', '/security/audit?limit=-1', fmetoken(newest.token ?? ''));
    const ended = v
      .parse(AuditListSchema, trail.body)
      .items.filter((event) => event.event === 'removed' && /session limit/.test(event.reason ?? ''));
    expect(ended).toHaveLength(16 + 1 - MAX_SESSIONS);
  });
});

describe('sign-ins racing an account change on the other instance', () => {
  const RACES = 6;
  for (const change of ACCOUNT_CHANGES) {
    it(`leave no session made with the old password working after a ${change} (${RACES} rounds)`, async () => {
      let handedOut = 0;
      for (let round = 1; round <= RACES; round++) {
        handedOut += await raceSignInsAgainstChange({
          changeOn: a.baseUrl,
          signInOn: [b.baseUrl, a.baseUrl],
          admin,
          change,
          user: `racer ${change} ${round}`,
          round,
          signIns: 8,
        });
      }
      console.log(
        `${change}: ${handedOut} sessions handed out around the change in ${RACES} rounds, none working`,
      );
      expect(handedOut).toBeGreaterThan(0);
    });
  }
});

describe('the last account that manages users, across two instances', () => {
  const DUELS = 20;
  const PASSWORD = 'duelist password';
  const duelists = [
    { name: 'duelist 1', token: '' },
    { name: 'duelist 2', token: '' },
  ];
  const managers = () =>
    count("SELECT count(*)::int AS n FROM users WHERE enabled AND 'fmeadmin' = ANY(roles)", []);

  beforeAll(async () => {
    for (const duelist of duelists) {
      await createAccount(duelist.name, PASSWORD, ['fmeadmin']);
      duelist.token = await apiToken(a, duelist.name, PASSWORD, 'duels');
    }
    // The two duelists are the only managers left.
    const demoted = await api(a, 'PUT', '/security/accounts/admin', duelists[0]?.token, {
      roles: ['fmeuser'],
    });
    expect(demoted.status).toBe(204);
    expect(await managers()).toBe(2);
  });

  /** Both instances let both duelists manage users: the next duel starts level. */
  const level = () =>
    until('both instances see both duelists as managers', async () => {
      const statuses = await Promise.all(
        [a, b].flatMap((server) =>
          duelists.map(
            async (duelist) => (await api(server, 'GET', '/security/accounts', duelist.token)).status,
          ),
        ),
      );
      return statuses.every((status) => status === 200);
    });

  const ACTIONS = {
    demote: {
      act: (server: RunningServer, by: string, target: string) =>
        api(server, 'PUT', `/security/accounts/${encodeURIComponent(target)}`, by, { roles: ['fmeuser'] }),
      restore: async (by: string, target: (typeof duelists)[number]) => {
        const res = await api(a, 'PUT', `/security/accounts/${encodeURIComponent(target.name)}`, by, {
          roles: ['fmeadmin'],
        });
        expect(res.status).toBe(204);
      },
    },
    disable: {
      act: (server: RunningServer, by: string, target: string) =>
        api(server, 'PUT', `/security/accounts/${encodeURIComponent(target)}`, by, { enabled: false }),
      restore: async (by: string, target: (typeof duelists)[number]) => {
        const res = await api(a, 'PUT', `/security/accounts/${encodeURIComponent(target.name)}`, by, {
          enabled: true,
        });
        expect(res.status).toBe(204);
      },
    },
    delete: {
      act: (server: RunningServer, by: string, target: string) =>
        api(server, 'DELETE', `/security/accounts/${encodeURIComponent(target)}`, by),
      // Straight into the store, with the winner's password hash and a token made here: the duel is what is
      // tested, and two password hashes a round would make it slow.
      restore: async (by: string, target: (typeof duelists)[number]) => {
        const { rows } = await db.query(
          `INSERT INTO users (name, password_hash, roles, enabled, created_at)
           SELECT $1, password_hash, '{fmeadmin}', TRUE, 0 FROM users
           WHERE id = (SELECT user_id FROM tokens WHERE digest = $2) RETURNING id`,
          [target.name, digestOf(by.slice('fmetoken token='.length))],
        );
        const value = createTokenValue();
        await db.query(
          `INSERT INTO tokens (user_id, name, type, source, digest, enabled, restricted, created_at, saved_at, expires_at)
           VALUES ($1, 'duels', 'USER', 'api', $2, TRUE, FALSE, 0, 0, 4000000000)`,
          [rows[0]?.id, digestOf(value)],
        );
        target.token = fmetoken(value);
      },
    },
  };

  for (const [kind, { act, restore }] of Object.entries(ACTIONS)) {
    it(`keeps one when two managers ${kind} each other at once on two instances (${DUELS} rounds)`, async () => {
      let decidedByStore = 0;
      for (let round = 1; round <= DUELS; round++) {
        await level();
        const [x, y] = duelists as [(typeof duelists)[number], (typeof duelists)[number]];
        const [onA, onB] = await Promise.all([act(a, x.token, y.name), act(b, y.token, x.name)]);
        const outcome = `round ${round}: ${onA.status} on A, ${onB.status} on B`;
        expect(await managers(), outcome).toBeGreaterThanOrEqual(1);
        // One wins. The other is refused by the store (409), or, when the first change had already reached its
        // instance, for the permission or the account it no longer has (403, 401).
        const winner = onA.status === 204 ? x : y;
        const other = onA.status === 204 ? onB : onA;
        expect(
          [onA.status, onB.status].filter((status) => status === 204),
          outcome,
        ).toHaveLength(1);
        expect([409, 403, 401], outcome).toContain(other.status);
        if (other.status === 409) decidedByStore++;
        await restore(winner.token, winner === x ? y : x);
      }
      console.log(`${kind}: ${decidedByStore} of ${DUELS} duels reached the store together (409)`);
    });
  }

  it('takes admin back from the command line while both instances run, and both see it at once', async () => {
    const restored = await runCli('server/cli/admin-restore.ts', ['--user', 'admin'], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(restored.output).toMatch(/"admin" is enabled and holds fmeadmin/);
    expect(restored.code).toBe(0);
    for (const server of [a, b]) {
      await until(
        'admin manages users again',
        async () => (await api(server, 'GET', '/security/accounts', admin)).status === 200,
        2000,
      );
    }
  });
});

describe('the limit on leak reports across two instances', () => {
  const report = (server: RunningServer, client: string) =>
    fetch(`${server.baseUrl}/fmerest/v3/tokens/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
      body: JSON.stringify({ tokens: [createTokenValue()] }),
    }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    });

  it('takes ten a minute from one address in all, when 30 race over both instances', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => report(i % 2 === 0 ? a : b, '198.51.100.40')),
    );
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    // Refused on either instance now, and another address is not.
    expect(await report(a, '198.51.100.40')).toBe(429);
    expect(await report(b, '198.51.100.40')).toBe(429);
    expect(await report(b, '198.51.100.41')).toBe(202);
  });
});
