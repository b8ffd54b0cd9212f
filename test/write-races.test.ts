// Rules attacked with real parallel HTTP requests over two server instances on one PostgreSQL.
import type pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, call, fmetoken, statusWith } from './fixtures/instance-http';
import type { RunningServer } from './fixtures/server-process';
import { startTwoInstances, type TwoInstances } from './fixtures/two-instances';

const ADMIN_PASSWORD = 'race admin password';
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 6);
let instances: TwoInstances;
let a: RunningServer;
let b: RunningServer;
let db: pg.Client;
let admin: string;

beforeAll(async () => {
  instances = await startTwoInstances('races', { ADMIN_PASSWORD, MAX_TOKENS_PER_USER: '30' });
  ({ a, b, db } = instances);
  admin = await apiToken(a, basic('admin', ADMIN_PASSWORD), 'race admin');
}, 60_000);
afterAll(() => instances?.stop());

const api = (server: RunningServer, method: string, path: string, authorization?: string, body?: unknown) =>
  call(server.baseUrl, method, `/fmerest/v3${path}`, authorization, body);
const on = (i: number) => (i % 2 === 0 ? a : b);
const tally = (statuses: number[]) => {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
};

async function apiToken(server: RunningServer, authorization: string, name: string, extra: object = {}) {
  const res = await api(server, 'POST', '/tokens', authorization, { name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return fmetoken(v.parse(v.object({ token: v.string() }), res.body).token);
}

async function account(name: string, roles: string[], password = `pw ${name}`) {
  const res = await api(a, 'POST', '/security/accounts', admin, { name, password, roles });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return basic(name, password);
}

const count = async (query: string, values: unknown[]) =>
  Number((await db.query(query, values)).rows[0]?.n ?? -1);

describe('revocations racing lease mints on the same parent (two instances)', () => {
  const ENDINGS = {
    disable: (s: RunningServer, owner: string, n: string) =>
      api(s, 'PUT', `/tokens/${owner}/${encodeURIComponent(n)}`, admin, { enabled: false }),
    delete: (s: RunningServer, owner: string, n: string) =>
      api(s, 'DELETE', `/tokens/${owner}/${encodeURIComponent(n)}`, admin),
    narrow: (s: RunningServer, owner: string, n: string, userAuth?: string) =>
      api(s, 'PUT', `/tokens/${owner}/${encodeURIComponent(n)}`, userAuth, {
        restricted: true,
        permissions: ['repositories:access'],
      }),
  };
  for (const [kind, end] of Object.entries(ENDINGS)) {
    it(`a ${kind} is never refused (503) while 30 mints of the parent race it (${ROUNDS} rounds)`, async () => {
      const owner = `lessor-${kind}`;
      const userAuth = await account(owner, ['fmeuser']);
      const ownerToken = await apiToken(a, userAuth, 'owner full');
      const results: string[] = [];
      let leasesAlive = 0;
      let refused = 0;
      let unavailable = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const name = `parent ${round}`;
        const parent = await apiToken(a, ownerToken, name);
        const leasePath = `/tokens/${owner}/${encodeURIComponent(name)}/leases`;
        const mints = Array.from({ length: 30 }, (_, i) =>
          api(on(i), 'POST', leasePath, parent, { ttl: 600 }),
        );
        await new Promise((r) => setTimeout(r, 5));
        const ending = end(on(round + 1), owner, name, ownerToken);
        const [ended, ...minted] = await Promise.all([ending, ...mints]);
        results.push(
          `r${round}: end ${ended.status} mints ${JSON.stringify(tally(minted.map((m) => m.status)))}`,
        );
        if (ended.status !== 204) refused++;
        for (const m of minted.filter((x) => x.status === 201)) {
          const value = v.parse(v.object({ token: v.string() }), m.body).token;
          for (const s of [a, b]) {
            if (kind !== 'narrow') {
              if ((await statusWith(s.baseUrl, value)) === 200) leasesAlive++;
              continue;
            }
            // A lease minted after the narrow is legitimate, but holds only what the parent holds now.
            const me = await api(s, 'GET', '/security/me', fmetoken(value));
            const held = me.status === 200 ? (me.body as { permissions: string[] }).permissions : [];
            if (held.some((p) => p !== 'repositories:access')) leasesAlive++;
          }
        }
        unavailable += minted.filter((m) => ![201, 401, 404, 409].includes(m.status)).length;
      }
      expect({ refused, unavailable, leasesAlive }, results.join('\n')).toEqual({
        refused: 0,
        unavailable: 0,
        leasesAlive: 0,
      });
    }, 120_000);
  }

  it(`a leak report (POST /tokens/revoke) is never lost while mints race it (${ROUNDS} rounds)`, async () => {
    const owner = 'lessor-leak';
    const userAuth = await account(owner, ['fmeuser']);
    const ownerToken = await apiToken(a, userAuth, 'owner full');
    const results: string[] = [];
    let survivors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const name = `leaked ${round}`;
      const parentRes = await api(a, 'POST', '/tokens', ownerToken, { name });
      const value = v.parse(v.object({ token: v.string() }), parentRes.body).token;
      const leasePath = `/tokens/${owner}/${encodeURIComponent(name)}/leases`;
      const mints = Array.from({ length: 30 }, (_, i) =>
        api(on(i), 'POST', leasePath, fmetoken(value), { ttl: 600 }),
      );
      await new Promise((r) => setTimeout(r, 5));
      const report = fetch(`${on(round).baseUrl}/fmerest/v3/tokens/revoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `203.0.113.${round + 1}` },
        body: JSON.stringify({ tokens: [value] }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
      const [reported, ...minted] = await Promise.all([report, ...mints]);
      results.push(
        `r${round}: report ${reported.status} mints ${JSON.stringify(tally(minted.map((m) => m.status)))}`,
      );
      const exposed = await count(
        'SELECT count(*)::int AS n FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = $1 AND t.name = $2 AND NOT t.enabled AND t.exposed_at IS NOT NULL',
        [owner, name],
      );
      if (exposed !== 1 || reported.status !== 202) survivors++;
    }
    // Every report answered 202, and its token was disabled and marked leaked: no mint made it fail (503).
    expect(survivors, results.join('\n')).toBe(0);
  }, 120_000);
});

describe('token writes racing account writes on the same user (two instances)', () => {
  it(`session disables racing a password change: every answer 204/404, never 503 (${ROUNDS} rounds)`, async () => {
    const results: string[] = [];
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const user = `sess-${round}`;
      const auth = await account(user, ['fmeuser'], 'old password');
      const full = await apiToken(a, auth, 'full');
      const names: string[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${on(i).baseUrl}/fmerest/v3/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.7.${round}.${i + 1}` },
          body: JSON.stringify({ user, password: 'old password' }),
        });
        names.push(v.parse(v.object({ name: v.string() }), await res.json()).name);
      }
      const disables = names.map((n, i) =>
        api(on(i), 'PUT', `/tokens/${user}/${encodeURIComponent(n)}`, full, { enabled: false }),
      );
      const change = api(on(round), 'PUT', `/security/accounts/${user}`, admin, { password: 'new password' });
      const [changed, ...answers] = await Promise.all([change, ...disables]);
      const statuses = answers.map((x) => x.status);
      results.push(`r${round}: change ${changed.status} disables ${JSON.stringify(tally(statuses))}`);
      if (changed.status !== 204) bad++;
      bad += statuses.filter((s) => s !== 204 && s !== 404).length;
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);

  it(`token removals racing the owner's removal: 204/404 only, never 503 (${ROUNDS} rounds)`, async () => {
    const results: string[] = [];
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const user = `gone-${round}`;
      const auth = await account(user, ['fmeuser']);
      const full = await apiToken(a, auth, 'full');
      const tokens = [];
      for (let i = 0; i < 15; i++) tokens.push(await apiToken(a, full, `t${i}`));
      const removals = tokens.map((_, i) => api(on(i), 'DELETE', `/tokens/${user}/t${i}`, admin));
      const removal = api(on(round), 'DELETE', `/security/accounts/${user}`, admin);
      const [removed, ...answers] = await Promise.all([removal, ...removals]);
      const statuses = answers.map((x) => x.status);
      results.push(`r${round}: account ${removed.status} tokens ${JSON.stringify(tally(statuses))}`);
      if (removed.status !== 204) bad++;
      bad += statuses.filter((s) => s !== 204 && s !== 404).length;
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);

  it(`token removals (with leases) racing a role change of the owner: never 503 (${ROUNDS} rounds)`, async () => {
    const results: string[] = [];
    let bad = 0;
    const user = 'roles-owner';
    const auth = await account(user, ['fmeuser']);
    const full = await apiToken(a, auth, 'full');
    for (let round = 0; round < ROUNDS; round++) {
      const values = [];
      for (let i = 0; i < 10; i++) {
        const value = await apiToken(a, full, `r${round} t${i}`);
        await api(a, 'POST', `/tokens/${user}/${encodeURIComponent(`r${round} t${i}`)}/leases`, value, {});
        values.push(value);
      }
      const removals = values.map((_, i) =>
        api(on(i), 'DELETE', `/tokens/${user}/${encodeURIComponent(`r${round} t${i}`)}`, admin),
      );
      const change = api(on(round), 'PUT', `/security/accounts/${user}`, admin, {
        roles: round % 2 === 0 ? ['fmeauthor'] : ['fmeuser'],
      });
      const [changed, ...answers] = await Promise.all([change, ...removals]);
      const statuses = answers.map((x) => x.status);
      results.push(`r${round}: roles ${changed.status} removals ${JSON.stringify(tally(statuses))}`);
      if (changed.status !== 204) bad++;
      bad += statuses.filter((s) => s !== 204).length;
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);
});

describe('the token cap and names across two instances', () => {
  it(`ends at exactly the cap (30) when creates, duplicates and v4 creates race (${ROUNDS} rounds)`, async () => {
    const user = 'capped';
    const auth = await account(user, ['fmeuser']);
    const full = await apiToken(a, auth, 'full');
    await apiToken(a, full, 'source');
    const results: string[] = [];
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const requests = Array.from({ length: 45 }, (_, i) => {
        const name = `r${round} n${i}`;
        if (i % 3 === 0) return api(on(i), 'POST', '/tokens', full, { name });
        if (i % 3 === 1) return api(on(i), 'POST', `/tokens/${user}/source/duplicate`, full, { name });
        return call(on(i).baseUrl, 'POST', '/fmeapiv4/tokens', full, { name, secondsToExpiry: 3600 });
      });
      const answers = await Promise.all(requests);
      const held = await count(
        "SELECT count(*)::int AS n FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = $1 AND t.type = 'USER'",
        [user],
      );
      const statuses = answers.map((x) => x.status);
      results.push(`r${round}: held ${held} ${JSON.stringify(tally(statuses))}`);
      if (held !== 30) bad++;
      bad += statuses.filter((s) => s !== 201 && s !== 409).length;
      await db.query(
        "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = $1) AND name LIKE 'r%'",
        [user],
      );
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);

  it(`gives one name to exactly one of 40 creates/duplicates/v4 creates on both instances (${ROUNDS} rounds)`, async () => {
    const user = 'namer';
    const auth = await account(user, ['fmeuser']);
    const full = await apiToken(a, auth, 'full');
    await apiToken(a, full, 'source');
    const results: string[] = [];
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Same name after NFC normalisation: half composed, half decomposed.
      const name = (i: number) => (i % 4 < 2 ? `caf\u00e9 ${round}` : `cafe\u0301 ${round}`);
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          if (i % 3 === 0) return api(on(i), 'POST', '/tokens', full, { name: name(i) });
          if (i % 3 === 1)
            return api(on(i), 'POST', `/tokens/${user}/source/duplicate`, full, { name: name(i) });
          return call(on(i).baseUrl, 'POST', '/fmeapiv4/tokens', full, { name: name(i) });
        }),
      );
      const statuses = answers.map((x) => x.status);
      const rows = await count(
        "SELECT count(*)::int AS n FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = $1 AND t.name LIKE 'caf%'",
        [user],
      );
      results.push(`r${round}: rows ${rows} ${JSON.stringify(tally(statuses))}`);
      if (statuses.filter((s) => s === 201).length !== 1) bad++;
      bad += statuses.filter((s) => s !== 201 && s !== 409).length;
      if (rows !== 1) bad++;
      await db.query("DELETE FROM tokens WHERE name LIKE 'caf%'");
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);

  it(`creates racing the owner's removal leave no token and answer 201/401 (${ROUNDS} rounds)`, async () => {
    const results: string[] = [];
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const user = `doomed-${round}`;
      const auth = await account(user, ['fmeuser']);
      const full = await apiToken(a, auth, 'full');
      await apiToken(a, full, 'source');
      const creates = Array.from({ length: 26 }, (_, i) =>
        i % 2 === 0
          ? api(on(i), 'POST', '/tokens', full, { name: `n${i}` })
          : api(on(i), 'POST', `/tokens/${user}/source/duplicate`, full, { name: `n${i}` }),
      );
      await new Promise((r) => setTimeout(r, 3));
      const [removed, ...answers] = await Promise.all([
        api(on(round), 'DELETE', `/security/accounts/${user}`, admin),
        ...creates,
      ]);
      const left = await count(
        'SELECT count(*)::int AS n FROM tokens WHERE user_id NOT IN (SELECT id FROM users)',
        [],
      );
      const statuses = answers.map((x) => x.status);
      results.push(`r${round}: removal ${removed.status} left ${left} ${JSON.stringify(tally(statuses))}`);
      if (removed.status !== 204 || left !== 0) bad++;
      bad += statuses.filter((s) => ![201, 401, 404].includes(s)).length;
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 120_000);
});

describe('the last manager with mixed changes across two instances', () => {
  it(`three managers each demote, disable or delete another at once: one always remains (${ROUNDS * 3} rounds)`, async () => {
    const results: string[] = [];
    let bad = 0;
    const managers = () =>
      count("SELECT count(*)::int AS n FROM users WHERE enabled AND 'fmeadmin' = ANY(roles)", []);
    for (let round = 0; round < ROUNDS * 3; round++) {
      const names = [0, 1, 2].map((i) => `boss-${round}-${i}`);
      const tokens: string[] = [];
      for (const n of names) tokens.push(await apiToken(a, await account(n, ['fmeadmin']), 'boss'));
      // Leave only the three as managers (through the API, acknowledged on both instances).
      expect(
        (await api(a, 'PUT', '/security/accounts/admin', tokens[0], { roles: ['fmeuser'] })).status,
      ).toBe(204);
      const acts = [0, 1, 2].map((i) => {
        const target = names[(i + 1) % 3] ?? '';
        const kind = (i + round) % 3;
        const path = `/security/accounts/${encodeURIComponent(target)}`;
        if (kind === 0) return api(on(i), 'PUT', path, tokens[i], { roles: ['fmeuser'] });
        if (kind === 1) return api(on(i), 'PUT', path, tokens[i], { enabled: false });
        return api(on(i), 'DELETE', path, tokens[i]);
      });
      const statuses = (await Promise.all(acts)).map((x) => x.status);
      const left = await managers();
      results.push(`r${round}: ${statuses.join(',')} left ${left}`);
      if (left < 1) bad++;
      bad += statuses.filter((s) => ![204, 401, 403, 409].includes(s)).length;
      // Admin back through a surviving manager, then the three go.
      const back = [];
      for (const t of tokens)
        back.push((await api(b, 'PUT', '/security/accounts/admin', t, { roles: ['fmeadmin'] })).status);
      expect(back, results.at(-1)).toContain(204);
      for (const n of names) await api(a, 'DELETE', `/security/accounts/${encodeURIComponent(n)}`, admin);
    }
    expect(bad, results.join('\n')).toBe(0);
  }, 180_000);
});
