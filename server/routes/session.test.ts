import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { MeSchema, SessionTokenSchema } from '../../shared/schemas/session';
import { CreatedTokenSchema, TokenListSchema } from '../../shared/schemas/token';
import { isWellFormedTokenValue } from '../../shared/token-format';
import {
  ADMIN_PASSWORD,
  adminBasic,
  basic,
  createTestApp,
  fmetoken,
  jsonInit,
} from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

const MINUTE = 60;

async function login(body: Record<string, unknown> = { user: 'admin', password: ADMIN_PASSWORD }) {
  const res = await t.app.request('/fmerest/v3/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(SessionTokenSchema, await res.json());
}

async function me(authorization: string) {
  const res = await t.app.request('/fmerest/v3/security/me', { headers: { Authorization: authorization } });
  return { status: res.status, body: res.status === 200 ? v.parse(MeSchema, await res.json()) : undefined };
}

async function sessions(authorization = adminBasic) {
  const res = await t.app.request('/fmerest/v3/tokens?type=SESSION', {
    headers: { Authorization: authorization },
  });
  return v.parse(TokenListSchema, await res.json()).items;
}

const tokenPath = (user: string, name: string) =>
  `/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;

describe('POST /fmerest/v3/login', () => {
  it('signs in with a JSON body and returns a 30-minute web session token, once', async () => {
    const res = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const session = v.parse(SessionTokenSchema, await res.json());
    expect(isWellFormedTokenValue(session.token)).toBe(true);
    expect(session).toMatchObject({
      user: 'admin',
      type: 'SESSION',
      source: 'web',
      expirationDate: '2026-11-22T10:30:00Z',
    });
    expect((await me(fmetoken(session.token))).status).toBe(200);

    const listed = await sessions(fmetoken(session.token));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: session.name, type: 'SESSION', source: 'web', current: true });
    expect(JSON.stringify(listed)).not.toContain(session.token);
  });

  it('signs in with Basic auth; ?kind=apidoc gives a one-hour token', async () => {
    const web = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { Authorization: adminBasic },
    });
    expect(web.status).toBe(201);
    expect(v.parse(SessionTokenSchema, await web.json())).toMatchObject({ source: 'web' });
    const apidoc = await t.app.request('/fmerest/v3/login?kind=apidoc', {
      method: 'POST',
      headers: { Authorization: adminBasic },
    });
    expect(v.parse(SessionTokenSchema, await apidoc.json())).toMatchObject({
      source: 'apidoc',
      expirationDate: '2026-11-22T11:00:00Z',
    });
  });

  it('refuses bad passwords, unknown users, tokens and malformed bodies', async () => {
    const post = (init: RequestInit) => t.app.request('/fmerest/v3/login', { method: 'POST', ...init });
    const json = (body: string) => ({ headers: { 'Content-Type': 'application/json' }, body });
    const { token } = await login();

    const unauthorized = [
      await post(json(JSON.stringify({ user: 'admin', password: 'wrong' }))),
      await post(json(JSON.stringify({ user: 'nobody', password: 'x' }))),
      await post({ headers: { Authorization: basic('admin', 'wrong') } }),
      await post({ headers: { Authorization: fmetoken(token) } }),
    ];
    const bodies = new Set<string>();
    for (const res of unauthorized) {
      expect(res.status).toBe(401);
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);

    expect((await post(json('{"user":'))).status).toBe(400);
    expect((await post({ headers: { 'Content-Type': 'text/plain' }, body: 'admin' })).status).toBe(415);
    const invalid = await post(json(JSON.stringify({ user: 'admin', kind: 'forever', extra: 1 })));
    expect(invalid.status).toBe(422);
    const fields = v.parse(ErrorBodySchema, await invalid.json()).details?.fields;
    expect(Object.keys(fields as object).sort()).toEqual(['extra', 'kind', 'password']);
  });

  it('reads a body sent with Basic auth: its kind wins, a mistake in it is refused, a second credential is 400', async () => {
    const post = (body: string, type = 'application/json', query = '') =>
      t.app.request(`/fmerest/v3/login${query}`, {
        method: 'POST',
        headers: { Authorization: adminBasic, 'Content-Type': type },
        body,
      });
    const apidoc = await post(JSON.stringify({ kind: 'apidoc' }), 'application/json', '?kind=web');
    expect(apidoc.status).toBe(201);
    expect(v.parse(SessionTokenSchema, await apidoc.json())).toMatchObject({ source: 'apidoc' });
    expect((await post('{"kind":')).status).toBe(400);
    expect((await post('hello', 'text/plain')).status).toBe(415);
    const unknown = await post(JSON.stringify({ kind: 'web', remember: true }));
    expect(unknown.status).toBe(422);
    expect(v.parse(ErrorBodySchema, await unknown.json()).details?.fields).toHaveProperty('remember');
    const twice = await post(JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }));
    expect(twice.status).toBe(400);
    expect(v.parse(ErrorBodySchema, await twice.json()).code).toBe('CONFLICTING_CREDENTIALS');
    // An empty body is no body: Basic alone signs in.
    expect((await post('')).status).toBe(201);
  });

  it('answers a sign-in with no credential at all 401, with the challenge, whatever its content type', async () => {
    for (const init of [
      {},
      { headers: { 'Content-Type': 'text/plain' }, body: '' },
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' },
    ]) {
      const res = await t.app.request('/fmerest/v3/login', { method: 'POST', ...init });
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toContain('fmetoken');
    }
    // An empty body that says it is JSON is not JSON.
    const empty = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '',
    });
    expect(empty.status).toBe(400);
  });

  it('refuses a disabled user', async () => {
    const user = await t.addUser('dora', 'dora password');
    await t.store.updateUser(user.id, { enabled: false });
    const res = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { Authorization: basic('dora', 'dora password') },
    });
    expect(res.status).toBe(401);
  });
});

describe('web session lifetime', () => {
  it('extends by 30 minutes from now when used in its last 5 minutes, without moving lastSaveDate', async () => {
    const { token } = await login();
    t.clock.advance(25 * MINUTE - 1);
    expect((await me(fmetoken(token))).body?.token?.expirationDate).toBe('2026-11-22T10:30:00Z');
    t.clock.advance(2);
    expect((await me(fmetoken(token))).body?.token?.expirationDate).toBe('2026-11-22T10:55:01Z');
    const [listed] = await sessions();
    expect(listed).toMatchObject({
      expirationDate: '2026-11-22T10:55:01Z',
      lastSaveDate: '2026-11-22T10:00:00Z',
    });
  });

  it('expires when left alone, and is never revived by a later request', async () => {
    const { token } = await login();
    t.clock.advance(30 * MINUTE);
    expect((await me(fmetoken(token))).status).toBe(401);
    const [listed] = await sessions();
    expect(listed).toMatchObject({ expired: true, expirationDate: '2026-11-22T10:30:00Z' });
  });

  it('never lives past 12 hours after sign-in, however busy', async () => {
    const { token } = await login();
    const expirations: string[] = [];
    // A request every 26 minutes, always inside the renewal window: 27 renewals reach 11:42 after sign-in.
    for (let step = 0; step < 27; step++) {
      t.clock.advance(26 * MINUTE);
      const answer = await me(fmetoken(token));
      expect(answer.status).toBe(200);
      expirations.push(answer.body?.token?.expirationDate ?? '');
    }
    expect(expirations[0]).toBe('2026-11-22T10:56:00Z');
    // At 11:42 the next 30 minutes would reach 12:12; the cap holds it at 12:00.
    expect(expirations.at(-1)).toBe('2026-11-22T22:00:00Z');
    expect(expirations.every((date) => date <= '2026-11-22T22:00:00Z')).toBe(true);
    t.clock.advance(18 * MINUTE - 1);
    expect((await me(fmetoken(token))).status).toBe(200);
    t.clock.advance(1);
    expect((await me(fmetoken(token))).status).toBe(401);
  });

  it('keeps an apidoc token at exactly one hour', async () => {
    const { token } = await login({ user: 'admin', password: ADMIN_PASSWORD, kind: 'apidoc' });
    t.clock.advance(59 * MINUTE);
    expect((await me(fmetoken(token))).body?.token).toMatchObject({
      source: 'apidoc',
      expirationDate: '2026-11-22T11:00:00Z',
    });
    t.clock.advance(MINUTE);
    expect((await me(fmetoken(token))).status).toBe(401);
  });
});

describe('POST /fmerest/v3/logout', () => {
  it('removes the session token of the request', async () => {
    const { token, name } = await login();
    const other = await login();
    const res = await t.app.request('/fmerest/v3/logout', {
      method: 'POST',
      headers: { Authorization: fmetoken(token) },
    });
    expect(res.status).toBe(204);
    expect((await me(fmetoken(token))).status).toBe(401);
    expect((await sessions()).map((s) => s.name)).toEqual([other.name]);
    expect(name).not.toBe(other.name);
  });

  it('is refused for API tokens and Basic auth, which have no session to end', async () => {
    const created = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, { name: 'api' }));
    const { token } = v.parse(CreatedTokenSchema, await created.json());
    for (const authorization of [fmetoken(token), adminBasic]) {
      const res = await t.app.request('/fmerest/v3/logout', {
        method: 'POST',
        headers: { Authorization: authorization },
      });
      expect(res.status).toBe(400);
    }
    expect((await me(fmetoken(token))).status).toBe(200);
  });
});

describe('GET /fmerest/v3/security/me', () => {
  it('names the user, roles, permissions and the token of the request', async () => {
    const basicAnswer = await me(adminBasic);
    expect(basicAnswer.body).toMatchObject({ user: 'admin', roles: ['fmeadmin'], token: null });
    expect(basicAnswer.body?.permissions).toEqual(
      expect.arrayContaining(['repository/*:manage', 'usermanagement:manage']),
    );
    const { token, name } = await login();
    expect((await me(fmetoken(token))).body?.token).toEqual({
      name,
      type: 'SESSION',
      source: 'web',
      expirationDate: '2026-11-22T10:30:00Z',
    });
  });

  it("shows a restricted token's permissions narrowed to what its owner holds now", async () => {
    const uma = await t.addUser('uma', 'uma password', ['fmeuser']);
    const created = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', basic('uma', 'uma password'), {
        name: 'narrow',
        restricted: true,
        permissions: ['jobs:access', 'repositories:access', 'repository/Samples:read'],
      }),
    );
    const { token } = v.parse(CreatedTokenSchema, await created.json());
    expect((await me(fmetoken(token))).body?.permissions).toEqual([
      'jobs:access',
      'repositories:access',
      'repository/Samples:read',
    ]);
    expect((await me(basic('uma', 'uma password'))).body?.permissions).toEqual([
      'jobs:access',
      'repositories:access',
      'repository/*:download',
      'repository/*:read',
      'repository/*:run',
      'resources:access',
      'runworkspace:access',
    ]);
    // Demoted to guest: the token narrows at once, without being touched.
    await t.store.updateUser(uma.id, { roles: ['fmeguest'] });
    expect((await me(fmetoken(token))).body?.permissions).toEqual([
      'repositories:access',
      'repository/Samples:read',
    ]);
  });
});

describe('session tokens in the token endpoints', () => {
  it('can be disabled, enabled and removed while active, never edited otherwise or duplicated', async () => {
    const { token, name } = await login();
    const put = (body: unknown) => t.app.request(tokenPath('admin', name), jsonInit('PUT', adminBasic, body));
    expect((await put({ enabled: false })).status).toBe(204);
    expect((await me(fmetoken(token))).status).toBe(401);
    expect((await put({ enabled: true })).status).toBe(204);
    expect((await me(fmetoken(token))).status).toBe(200);

    for (const body of [
      { description: 'x' },
      { expirationTimeout: 3600 },
      { enabled: true, restricted: true, permissions: [] },
    ]) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(v.parse(ErrorBodySchema, await res.json()).code).toBe('CONFLICT');
    }
    const duplicate = await t.app.request(
      `${tokenPath('admin', name)}/duplicate`,
      jsonInit('POST', adminBasic, { name: 'copy' }),
    );
    expect(duplicate.status).toBe(409);
  });

  it('once expired can only be removed', async () => {
    const { name } = await login();
    t.clock.advance(31 * MINUTE);
    const enable = await t.app.request(
      tokenPath('admin', name),
      jsonInit('PUT', adminBasic, { enabled: true }),
    );
    expect(enable.status).toBe(409);
    const disable = await t.app.request(
      tokenPath('admin', name),
      jsonInit('PUT', adminBasic, { enabled: false }),
    );
    expect(disable.status).toBe(409);
    const remove = await t.app.request(tokenPath('admin', name), {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(remove.status).toBe(204);
    expect(await sessions()).toEqual([]);
  });
});
