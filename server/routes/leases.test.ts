import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { LeaseSchema, LeaseSummarySchema } from '../../shared/schemas/lease';
import { CreatedTokenSchema, TokenListSchema, TokenSchema } from '../../shared/schemas/token';
import { isWellFormedTokenValue } from '../../shared/token-format';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';
import { openSqliteStore } from '../store/sqlite-store';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
const UMA = basic('uma', 'uma password');

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('uma', 'uma password', ['fmeuser']);
});

const tokenPath = (user: string, name: string) =>
  `/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;
const leasesPath = (user: string, name: string) => `${tokenPath(user, name)}/leases`;
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function createToken(body: Record<string, unknown>, authorization = UMA) {
  const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body));
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(CreatedTokenSchema, await res.json());
}

function mint(user: string, name: string, authorization: string, body: Record<string, unknown> = {}) {
  return t.app.request(leasesPath(user, name), jsonInit('POST', authorization, body));
}

async function lease(user: string, name: string, authorization: string, body: Record<string, unknown> = {}) {
  const res = await mint(user, name, authorization, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(LeaseSchema, await res.json());
}

async function summary(user: string, name: string, authorization = UMA) {
  const res = await t.app.request(leasesPath(user, name), { headers: { Authorization: authorization } });
  expect(res.status, await res.clone().text()).toBe(200);
  return v.parse(LeaseSummarySchema, await res.json());
}

const call = (authorization: string, path = '/fmerest/v3/repositories') =>
  t.app.request(path, { headers: { Authorization: authorization } });
const status = async (authorization: string, path?: string) => (await call(authorization, path)).status;

describe('POST /fmerest/v3/tokens/{user}/{name}/leases', () => {
  it('mints a lease with the owner’s password: a new value, 15 minutes by default, never stored in caches', async () => {
    await createToken({ name: 'ci' });
    const res = await mint('uma', 'ci', UMA);
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const minted = v.parse(LeaseSchema, await res.json());
    expect(isWellFormedTokenValue(minted.token)).toBe(true);
    expect(minted).toEqual({
      token: minted.token,
      expirationDate: '2026-11-22T10:15:00Z',
      parent: { user: 'uma', name: 'ci' },
    });
    expect(await status(fmetoken(minted.token))).toBe(200);
  });

  it('mints with the parent token’s own value, even a restricted one, and carries its permissions', async () => {
    const parent = await createToken({
      name: 'narrow',
      restricted: true,
      permissions: ['repositories:access'],
    });
    const minted = await lease('uma', 'narrow', fmetoken(parent.token), { ttl: 60 });
    expect(minted.expirationDate).toBe('2026-11-22T10:01:00Z');
    expect(await status(fmetoken(minted.token))).toBe(200);
    // The parent may not manage items in Samples, so neither may its lease.
    const res = await call(fmetoken(minted.token), '/fmerest/v3/repositories/Samples/items');
    expect(res.status).toBe(404);
    const me = await call(fmetoken(minted.token), '/fmerest/v3/security/me');
    const body = v.parse(v.object({ user: v.string(), permissions: v.array(v.string()) }), await me.json());
    expect(body).toMatchObject({ user: 'uma', permissions: ['repositories:access'] });
  });

  it('refuses another restricted token of the owner, a lease, and someone else’s credential', async () => {
    await createToken({ name: 'parent' });
    const other = await createToken({
      name: 'other',
      restricted: true,
      permissions: ['repositories:access'],
    });
    expect((await mint('uma', 'parent', fmetoken(other.token))).status).toBe(403);
    const minted = await lease('uma', 'parent', UMA);
    expect((await mint('uma', 'parent', fmetoken(minted.token))).status).toBe(403);
    // An administrator may see and end another user's leases, not mint them.
    expect((await mint('uma', 'parent', adminBasic)).status).toBe(403);
    await t.addUser('otto', 'otto password', ['fmeuser']);
    // Nor may anyone else (as for any other use of another user's token).
    expect((await mint('uma', 'parent', basic('otto', 'otto password'))).status).toBe(403);
  });

  it('answers 422 naming ttl when it is outside 60–3,600 seconds or not whole', async () => {
    await createToken({ name: 'ci' });
    for (const ttl of [59, 3601, 90.5, '900']) {
      const res = await mint('uma', 'ci', UMA, { ttl });
      expect(res.status, String(ttl)).toBe(422);
      const error = v.parse(ErrorBodySchema, await res.json());
      expect(error.details?.fields).toHaveProperty('ttl');
    }
    expect((await mint('uma', 'ci', UMA, { ttl: 60, extra: 1 })).status).toBe(422);
    expect((await mint('uma', 'ci', UMA, { ttl: 3600 })).status).toBe(201);
  });

  it('ends at the earlier of its ttl and the parent’s expiry', async () => {
    await createToken({ name: 'short', expirationTimeout: 120 });
    const minted = await lease('uma', 'short', UMA, { ttl: 900 });
    expect(minted.expirationDate).toBe('2026-11-22T10:02:00Z');
    t.clock.advance(119);
    expect(await status(fmetoken(minted.token))).toBe(200);
    t.clock.advance(1);
    expect(await status(fmetoken(minted.token))).toBe(401);

    await createToken({ name: 'long' });
    const brief = await lease('uma', 'long', UMA, { ttl: 60 });
    t.clock.advance(59);
    expect(await status(fmetoken(brief.token))).toBe(200);
    t.clock.advance(1);
    expect(await status(fmetoken(brief.token))).toBe(401);
  });

  it('answers 409 for a session token, 404 for no such token', async () => {
    const login = await t.app.request('/fmerest/v3/login', jsonInit('POST', UMA, {}));
    const session = v.parse(v.object({ name: v.string() }), await login.json());
    expect((await mint('uma', session.name, UMA)).status).toBe(409);
    expect((await mint('uma', 'nothing', UMA)).status).toBe(404);
  });

  it('takes an empty body (no Content-Type) as the default ttl; a non-JSON body is 415, broken JSON 400', async () => {
    await createToken({ name: 'ci' });
    const bare = await t.app.request(leasesPath('uma', 'ci'), {
      method: 'POST',
      headers: { Authorization: UMA },
    });
    expect(bare.status).toBe(201);
    expect(v.parse(LeaseSchema, await bare.json()).expirationDate).toBe('2026-11-22T10:15:00Z');
    const text = await t.app.request(leasesPath('uma', 'ci'), {
      method: 'POST',
      headers: { Authorization: UMA, 'Content-Type': 'text/plain' },
      body: 'ttl=60',
    });
    expect(text.status).toBe(415);
    const broken = await t.app.request(leasesPath('uma', 'ci'), {
      method: 'POST',
      headers: { Authorization: UMA, 'Content-Type': 'application/json' },
      body: '{"ttl":',
    });
    expect(broken.status).toBe(400);
  });

  it('answers 409 for a disabled parent', async () => {
    await createToken({ name: 'off', enabled: false });
    expect((await mint('uma', 'off', UMA)).status).toBe(409);
  });
});

describe('a lease is refused at once when its parent or owner changes', () => {
  async function leased(name = 'parent', body: Record<string, unknown> = {}) {
    await createToken({ name, ...body });
    const minted = await lease('uma', name, UMA);
    expect(await status(fmetoken(minted.token))).toBe(200);
    return fmetoken(minted.token);
  }
  const put = (body: Record<string, unknown>, name = 'parent', authorization = UMA) =>
    t.app.request(tokenPath('uma', name), jsonInit('PUT', authorization, body));

  it('disabled (and it stays refused when the parent is enabled again)', async () => {
    const value = await leased();
    expect((await put({ enabled: false })).status).toBe(204);
    expect(await status(value)).toBe(401);
    expect((await put({ enabled: true })).status).toBe(204);
    expect(await status(value)).toBe(401);
  });

  it('removed', async () => {
    const value = await leased();
    expect((await t.app.request(tokenPath('uma', 'parent'), jsonInit('DELETE', UMA))).status).toBe(204);
    expect(await status(value)).toBe(401);
  });

  it('narrowed', async () => {
    const value = await leased('parent', {
      restricted: true,
      permissions: ['repositories:access', 'runworkspace:access'],
    });
    expect((await put({ permissions: ['repositories:access'] })).status).toBe(204);
    expect(await status(value)).toBe(401);
  });

  it('expired', async () => {
    const value = await leased('parent', { expirationTimeout: 600 });
    t.clock.advance(600);
    expect(await status(value)).toBe(401);
  });

  it('its expiry brought forward', async () => {
    const value = await leased();
    expect((await put({ expirationTimeout: 60 })).status).toBe(204);
    expect(await status(value)).toBe(200);
    t.clock.advance(60);
    expect(await status(value)).toBe(401);
  });

  it('its owner’s roles change, or their password, or they are disabled', async () => {
    const account = '/fmerest/v3/security/accounts/uma';
    const roles = await leased('roles');
    expect((await t.app.request(account, jsonInit('PUT', adminBasic, { roles: ['fmeguest'] }))).status).toBe(
      204,
    );
    expect(await status(roles)).toBe(401);
    const password = await leased('password');
    const changed = await t.app.request(
      account,
      jsonInit('PUT', adminBasic, { password: 'a new password!' }),
    );
    expect(changed.status).toBe(204);
    expect(await status(password)).toBe(401);
  });

  it('but not when only its description changes', async () => {
    const value = await leased();
    expect((await put({ description: 'still the same token' })).status).toBe(204);
    expect(await status(value)).toBe(200);
  });
});

describe('what a lease may not do', () => {
  it('cannot create, duplicate, lease or change tokens or accounts', async () => {
    await createToken({ name: 'parent' });
    const value = fmetoken((await lease('uma', 'parent', UMA)).token);
    const refused = [
      jsonInit('POST', value, { name: 'wider' }),
      jsonInit('POST', value, { name: 'copy' }),
      jsonInit('POST', value, {}),
      jsonInit('PUT', value, { expirationTimeout: 3600 }),
      jsonInit('DELETE', value),
      jsonInit('DELETE', value),
    ];
    const paths = [
      '/fmerest/v3/tokens',
      `${tokenPath('uma', 'parent')}/duplicate`,
      leasesPath('uma', 'parent'),
      tokenPath('uma', 'parent'),
      tokenPath('uma', 'parent'),
      leasesPath('uma', 'parent'),
    ];
    for (const [i, init] of refused.entries()) {
      const res = await t.app.request(paths[i] ?? '', init);
      expect(res.status, `${init.method} ${paths[i]}`).toBe(403);
    }
    await createToken({ name: 'root' }, adminBasic);
    const adminLease = fmetoken((await lease('admin', 'root', adminBasic)).token);
    const account = await t.app.request(
      '/fmerest/v3/security/accounts',
      jsonInit('POST', adminLease, { name: 'mallory', password: 'mallory password', roles: ['fmeadmin'] }),
    );
    expect(account.status).toBe(403);
    // It still works for what its parent may do.
    expect(await status(value)).toBe(200);
    expect(await status(adminLease, '/fmerest/v3/security/accounts')).toBe(200);
  });

  it('is not a token: not in lists, not counted against the cap', async () => {
    await createToken({ name: 'parent' });
    for (let i = 0; i < 3; i++) await lease('uma', 'parent', UMA);
    const res = await call(UMA, '/fmerest/v3/tokens');
    const list = v.parse(TokenListSchema, await res.json());
    expect(list.totalCount).toBe(1);
    expect(list.items.map((token) => token.name)).toEqual(['parent']);
  });
});

describe('the parent’s leases: summary, ending them all, the cap', () => {
  it('counts live leases and their last use; a lease’s use is its parent’s use', async () => {
    await createToken({ name: 'parent' });
    expect(await summary('uma', 'parent')).toEqual({ live: 0, lastUsedDate: null });
    const first = await lease('uma', 'parent', UMA, { ttl: 60 });
    await lease('uma', 'parent', UMA, { ttl: 600 });
    expect(await summary('uma', 'parent')).toEqual({ live: 2, lastUsedDate: null });
    t.clock.advance(30);
    expect(await status(fmetoken(first.token))).toBe(200);
    await settle();
    expect(await summary('uma', 'parent')).toEqual({ live: 2, lastUsedDate: '2026-11-22T10:00:30Z' });
    const parent = v.parse(TokenSchema, await (await call(UMA, tokenPath('uma', 'parent'))).json());
    expect(parent.lastUsedDate).toBe('2026-11-22T10:00:30Z');
    t.clock.advance(30);
    expect((await summary('uma', 'parent')).live).toBe(1);
    // Administrators see other users' leases too.
    expect((await summary('uma', 'parent', adminBasic)).live).toBe(1);
  });

  it('a lease in steady use writes its own and its parent’s last use once a minute, not once a request', async () => {
    // Counted below the token cache, where the writes reach the database.
    const store = openSqliteStore(':memory:');
    const written = { token: 0, lease: 0 };
    const counted = {
      ...store,
      markTokensUsed: async (uses: Parameters<typeof store.markTokensUsed>[0]) => {
        written.token += uses.length;
        await store.markTokensUsed(uses);
      },
      markLeasesUsed: async (uses: Parameters<typeof store.markLeasesUsed>[0]) => {
        written.lease += uses.length;
        await store.markLeasesUsed(uses);
      },
    };
    const app = await createTestApp({ store: counted });
    // And above it: what the server asks the token cache to write (it writes a token's uses once a second).
    const ask = app.store.markTokensUsed;
    let asked = 0;
    app.store.markTokensUsed = (uses) => {
      asked += uses.length;
      return ask(uses);
    };
    const created = await app.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'parent' }),
    );
    expect(created.status).toBe(201);
    const minted = await app.app.request(leasesPath('admin', 'parent'), jsonInit('POST', adminBasic, {}));
    const value = fmetoken(v.parse(LeaseSchema, await minted.json()).token);
    const use = async (requests: number) => {
      for (let i = 0; i < requests; i++) {
        app.clock.advance(1);
        expect(
          (await app.app.request('/fmerest/v3/info', { headers: { Authorization: value } })).status,
        ).toBe(200);
        await settle();
      }
    };
    await use(1);
    // The parent's use is written with other last uses, within a second: wait for it to land.
    for (let waited = 0; written.token === 0 && waited < 3000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toEqual({ token: 1, lease: 1 });
    await use(30);
    expect(asked).toBe(1);
    app.clock.advance(30);
    await use(1);
    await app.store.close();
    expect(asked).toBe(2);
    expect(written).toEqual({ token: 2, lease: 2 });
  });

  it('DELETE ends every live lease of the token (administrators too)', async () => {
    await createToken({ name: 'parent' });
    const values = [];
    for (let i = 0; i < 3; i++) values.push(fmetoken((await lease('uma', 'parent', UMA)).token));
    for (const value of values) expect(await status(value)).toBe(200);
    const res = await t.app.request(leasesPath('uma', 'parent'), jsonInit('DELETE', UMA));
    expect(res.status).toBe(204);
    for (const value of values) expect(await status(value)).toBe(401);
    expect((await summary('uma', 'parent')).live).toBe(0);
    // The parent itself goes on working, and new leases can be minted.
    const again = await lease('uma', 'parent', UMA);
    expect(await status(fmetoken(again.token))).toBe(200);
    expect((await t.app.request(leasesPath('uma', 'parent'), jsonInit('DELETE', adminBasic))).status).toBe(
      204,
    );
    expect(await status(fmetoken(again.token))).toBe(401);
  });

  it('keeps at most 50 live leases per token: the oldest ends past it', async () => {
    const parent = fmetoken((await createToken({ name: 'parent' })).token);
    const values: string[] = [];
    for (let i = 0; i < 51; i++) {
      values.push(fmetoken((await lease('uma', 'parent', parent)).token));
      t.clock.advance(1);
    }
    expect((await summary('uma', 'parent')).live).toBe(50);
    expect(await status(values[0] ?? '')).toBe(401);
    expect(await status(values[1] ?? '')).toBe(200);
    expect(await status(values[50] ?? '')).toBe(200);
  });
});
