import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountListSchema, AccountSchema } from '../../shared/schemas/account';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { SessionTokenSchema } from '../../shared/schemas/session';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
const UMA = basic('uma', 'uma password');

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('uma', 'uma password', ['fmeuser']);
});

const account = (name: string) => `/fmerest/v3/security/accounts/${encodeURIComponent(name)}`;
const errorOf = async (res: Response) => ({
  status: res.status,
  ...v.parse(ErrorBodySchema, await res.json()),
});
const status = async (authorization: string, path = '/fmerest/v3/info') =>
  (await t.app.request(path, { headers: { Authorization: authorization } })).status;

async function tokenFor(authorization: string, name: string): Promise<string> {
  const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, { name }));
  expect(res.status).toBe(201);
  return v.parse(v.object({ token: v.string() }), await res.json()).token;
}

describe('user administration', () => {
  it('lists, creates and gets users for administrators', async () => {
    const created = await t.app.request(
      '/fmerest/v3/security/accounts',
      jsonInit('POST', adminBasic, { name: 'otto', password: 'otto password', roles: ['fmeauthor'] }),
    );
    expect(created.status).toBe(201);
    expect(v.parse(AccountSchema, await created.json())).toEqual({
      name: 'otto',
      roles: ['fmeauthor'],
      enabled: true,
      createdDate: '2026-11-22T10:00:00Z',
    });
    expect(await status(basic('otto', 'otto password'))).toBe(200);
    const list = v.parse(
      AccountListSchema,
      await (
        await t.app.request('/fmerest/v3/security/accounts', { headers: { Authorization: adminBasic } })
      ).json(),
    );
    expect(list.items.map((a) => a.name)).toEqual(['admin', 'otto', 'uma']);
    // As FME's lists: without limit and offset both are echoed as -1; with them, one page.
    expect(list).toMatchObject({ totalCount: 3, limit: -1, offset: -1 });
    const paged = await t.app.request('/fmerest/v3/security/accounts?limit=1&offset=1', {
      headers: { Authorization: adminBasic },
    });
    expect(v.parse(AccountListSchema, await paged.json())).toMatchObject({
      items: [{ name: 'otto' }],
      totalCount: 3,
      limit: 1,
      offset: 1,
    });
    const bad = await t.app.request('/fmerest/v3/security/accounts?limit=many', {
      headers: { Authorization: adminBasic },
    });
    expect(bad.status).toBe(422);
    const defaults = await t.app.request(
      '/fmerest/v3/security/accounts',
      jsonInit('POST', adminBasic, { name: 'plain', password: 'plain password' }),
    );
    expect(v.parse(AccountSchema, await defaults.json()).roles).toEqual(['fmeuser']);
  });

  it.each([
    [{ name: 'uma', password: 'another password' }, 409, undefined],
    [{ name: 'x', password: 'short' }, 422, 'password'],
    [{ name: 'a:b', password: 'long enough' }, 422, 'name'],
    [{ name: 'r', password: 'long enough', roles: ['superuser'] }, 422, 'roles.0'],
    [{ name: 'r', password: 'long enough', admin: true }, 422, 'admin'],
  ])('refuses %o with %i', async (body, code, field) => {
    const res = await t.app.request('/fmerest/v3/security/accounts', jsonInit('POST', adminBasic, body));
    const error = await errorOf(res);
    expect(error.status).toBe(code);
    if (field) expect(error.details?.fields).toHaveProperty([field]);
  });

  it.each([
    ['list users', 'GET', '/fmerest/v3/security/accounts', undefined, 'usermanagement:access'],
    [
      'create a user',
      'POST',
      '/fmerest/v3/security/accounts',
      { name: 'z', password: 'zz password' },
      'usermanagement:manage',
    ],
    ['see another user', 'GET', account('admin'), undefined, 'usermanagement:access'],
    ['change roles', 'PUT', account('uma'), { roles: ['fmeadmin'] }, 'usermanagement:manage'],
    ['disable a user', 'PUT', account('admin'), { enabled: false }, 'usermanagement:manage'],
    ['delete a user', 'DELETE', account('admin'), undefined, 'usermanagement:manage'],
  ])('a plain user may not %s (403 names %s)', async (_what, method, path, body, required) => {
    const res = await t.app.request(path, jsonInit(method, UMA, body));
    expect(await errorOf(res)).toMatchObject({ status: 403, details: { required: [required] } });
  });

  it('lets users see their own account', async () => {
    const res = await t.app.request(account('uma'), { headers: { Authorization: UMA } });
    expect(v.parse(AccountSchema, await res.json())).toMatchObject({ name: 'uma', roles: ['fmeuser'] });
  });

  it("narrows a demoted user's tokens at once, and kills a disabled or deleted user's tokens", async () => {
    await t.app.request(
      '/fmerest/v3/security/accounts',
      jsonInit('POST', adminBasic, { name: 'otto', password: 'otto password', roles: ['fmeauthor'] }),
    );
    const token = fmetoken(await tokenFor(basic('otto', 'otto password'), 'all of otto'));
    const createRepo = () =>
      t.app.request(
        '/fmerest/v3/repositories',
        jsonInit('POST', token, { name: `R${Math.random().toString(36).slice(2, 8)}` }),
      );
    expect((await createRepo()).status).toBe(201);

    expect(
      (await t.app.request(account('otto'), jsonInit('PUT', adminBasic, { roles: ['fmeuser'] }))).status,
    ).toBe(204);
    expect(await errorOf(await createRepo())).toMatchObject({
      status: 403,
      details: { required: ['repositories:create'] },
    });

    await t.app.request(account('otto'), jsonInit('PUT', adminBasic, { enabled: false }));
    expect(await status(token)).toBe(401);
    await t.app.request(account('otto'), jsonInit('PUT', adminBasic, { enabled: true }));
    expect(await status(token)).toBe(200);

    expect(
      (await t.app.request(account('otto'), { method: 'DELETE', headers: { Authorization: adminBasic } }))
        .status,
    ).toBe(204);
    expect(await status(token)).toBe(401);
    expect((await t.app.request(account('otto'), { headers: { Authorization: adminBasic } })).status).toBe(
      404,
    );
  });

  it('refuses a caller without the permission 403 before reading what they sent (no 422 about the body)', async () => {
    const bodies = [{ name: 'x' }, { name: 'x', password: 'x password 1', extra: 1 }, { roles: 'fmeadmin' }];
    for (const body of bodies) {
      const created = await t.app.request('/fmerest/v3/security/accounts', jsonInit('POST', UMA, body));
      expect(await errorOf(created)).toMatchObject({
        status: 403,
        details: { required: ['usermanagement:manage'] },
      });
      const updated = await t.app.request(account('admin'), jsonInit('PUT', UMA, body));
      expect(await errorOf(updated)).toMatchObject({
        status: 403,
        details: { required: ['usermanagement:manage'] },
      });
    }
    // Malformed JSON too: 403, not 400.
    const malformed = await t.app.request('/fmerest/v3/security/accounts', {
      method: 'POST',
      headers: { Authorization: UMA, 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(403);
    // Their own account is theirs to change: its body is read, and a mistake in it named.
    const own = await t.app.request(account('uma'), jsonInit('PUT', UMA, { password: 'x' }));
    expect((await errorOf(own)).status).toBe(422);
  });

  it('will not let administrators lock themselves out', async () => {
    expect(
      (await t.app.request(account('admin'), jsonInit('PUT', adminBasic, { enabled: false }))).status,
    ).toBe(409);
    expect(
      (await t.app.request(account('admin'), { method: 'DELETE', headers: { Authorization: adminBasic } }))
        .status,
    ).toBe(409);
    expect(await status(adminBasic)).toBe(200);
  });
});

describe('changing your own password', () => {
  async function signIn(user: string, password: string) {
    const res = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { Authorization: basic(user, password) },
    });
    return v.parse(SessionTokenSchema, await res.json()).token;
  }

  it('needs the current password, and ends your other sessions but not this one or your API tokens', async () => {
    const current = await signIn('uma', 'uma password');
    const other = await signIn('uma', 'uma password');
    const api = await tokenFor(UMA, 'script');
    const put = (body: unknown) => t.app.request(account('uma'), jsonInit('PUT', fmetoken(current), body));

    expect(await errorOf(await put({ password: 'new uma password' }))).toMatchObject({
      status: 422,
      details: { fields: { currentPassword: expect.any(String) } },
    });
    expect(
      await errorOf(await put({ password: 'new uma password', currentPassword: 'wrong' })),
    ).toMatchObject({ status: 422 });
    expect(await status(basic('uma', 'new uma password'))).toBe(401);

    expect((await put({ password: 'new uma password', currentPassword: 'uma password' })).status).toBe(204);
    expect(await status(fmetoken(current))).toBe(200);
    expect(await status(fmetoken(other))).toBe(401);
    expect(await status(fmetoken(api))).toBe(200);
    expect(await status(basic('uma', 'new uma password'))).toBe(200);
    expect(await status(basic('uma', 'uma password'))).toBe(401);
  });

  it("an administrator resetting a password ends all of that user's sessions", async () => {
    const session = await signIn('uma', 'uma password');
    const res = await t.app.request(
      account('uma'),
      jsonInit('PUT', adminBasic, { password: 'reset password' }),
    );
    expect(res.status).toBe(204);
    expect(await status(fmetoken(session))).toBe(401);
    expect(await status(basic('uma', 'reset password'))).toBe(200);
  });

  it('cannot give yourself roles', async () => {
    const res = await t.app.request(account('uma'), jsonInit('PUT', UMA, { roles: ['fmeadmin'] }));
    expect(res.status).toBe(403);
  });
});

describe('GET /fmerest/v3/security/permissions', () => {
  it('serves the catalogue to any signed-in caller', async () => {
    const res = await t.app.request('/fmerest/v3/security/permissions', { headers: { Authorization: UMA } });
    expect(res.status).toBe(200);
    const body = v.parse(v.object({ categories: v.array(v.object({ name: v.string() })) }), await res.json());
    expect(body.categories.map((c) => c.name)).toContain('repository');
    expect((await t.app.request('/fmerest/v3/security/permissions')).status).toBe(401);
  });
});
