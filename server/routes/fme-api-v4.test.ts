// /fmeapiv4 shares the v3 rules: one token service, one permission check, FME's v4 error shapes.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import {
  CreatedTokenV4Schema,
  RepositoryV4ListSchema,
  WorkspaceV4ListSchema,
} from '../../shared/schemas/fme-v4';
import { CreatedTokenSchema, TokenSchema } from '../../shared/schemas/token';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
const AUTHOR = basic('otto', 'otto password');
const GUEST = basic('gus', 'gus password');

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('otto', 'otto password', ['fmeauthor']);
  await t.addUser('gus', 'gus password', ['fmeguest']);
});

const createV4 = (authorization: string, body: Record<string, unknown>) =>
  t.app.request('/fmeapiv4/tokens', jsonInit('POST', authorization, body));
const errorOf = async (res: Response) => ({
  status: res.status,
  ...v.parse(ErrorBodySchema, await res.json()),
});

describe('POST /fmeapiv4/tokens', () => {
  it('creates through the v3 token service: the token is listed, gettable and works like any other', async () => {
    const res = await createV4(AUTHOR, { name: 'v4', secondsToExpiry: 60 });
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const created = v.parse(CreatedTokenV4Schema, await res.json());
    expect(created).toMatchObject({
      owner: 'otto',
      customPermissions: false,
      enabled: true,
      secondsToExpiry: 60,
    });
    expect(created.expiration).toBe('2026-11-22T10:01:00.000Z');
    const v3 = await t.app.request('/fmerest/v3/tokens/otto/v4', { headers: { Authorization: AUTHOR } });
    expect(v.parse(TokenSchema, await v3.json())).toMatchObject({
      user: 'otto',
      restricted: false,
      source: 'api',
    });
    expect(
      (await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(created.token) } }))
        .status,
    ).toBe(200);
    // One name space: v3 sees the v4 token's name as taken, and the other way round.
    expect((await t.app.request('/fmerest/v3/tokens', jsonInit('POST', AUTHOR, { name: 'v4' }))).status).toBe(
      409,
    );
  });

  it('caps secondsToExpiry at ten calendar years from now, naming secondsToExpiry', async () => {
    // 2029-01-01 to 2039-01-01 holds two 29 Februaries: 3,652 days.
    t.clock.advance((Date.parse('2029-01-01T00:00:00Z') - t.clock.now()) / 1000);
    const decade = await createV4(AUTHOR, { name: 'decade', secondsToExpiry: 3652 * 86400 });
    expect(decade.status).toBe(201);
    expect(v.parse(CreatedTokenV4Schema, await decade.json()).expiration).toBe('2039-01-01T00:00:00.000Z');
    const longer = await errorOf(await createV4(AUTHOR, { name: 'longer', secondsToExpiry: 3653 * 86400 }));
    expect(longer).toMatchObject({
      status: 400,
      message: 'Parameter Validation Failed',
      details: { fields: { secondsToExpiry: 'must be at most 10 years' } },
    });
    expect(longer.details?.fields).not.toHaveProperty('expirationTimeout');
  });

  it('maps customPermissions to a restricted token, with the same dependency and ownership rules', async () => {
    const narrow = await createV4(AUTHOR, {
      name: 'reader',
      customPermissions: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
    });
    expect(v.parse(CreatedTokenV4Schema, await narrow.json())).toMatchObject({
      customPermissions: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
    });
    const missing = await errorOf(await createV4(AUTHOR, { name: 'no list', customPermissions: true }));
    expect(missing).toMatchObject({
      status: 400,
      message: 'Parameter Validation Failed',
      details: { fields: { permissions: expect.any(String) } },
    });
    const dependencies = await errorOf(
      await createV4(AUTHOR, {
        name: 'deps',
        customPermissions: true,
        permissions: ['repository/Samples:read'],
      }),
    );
    expect(dependencies).toMatchObject({ status: 400, details: { required: ['repositories:access'] } });
    const beyond = await createV4(AUTHOR, {
      name: 'admin power',
      customPermissions: true,
      permissions: ['usermanagement:access'],
    });
    expect(beyond.status).toBe(403);
  });

  it('refuses a restricted token, as v3 does (a narrow token cannot mint another)', async () => {
    const created = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, {
        name: 'narrow',
        restricted: true,
        permissions: ['repositories:access', 'repository/Samples:read'],
      }),
    );
    const { token } = v.parse(CreatedTokenSchema, await created.json());
    expect((await createV4(fmetoken(token), { name: 'wider' })).status).toBe(403);
    expect((await createV4('Basic bm9ib2R5Om5vdGhpbmc=', { name: 'x' })).status).toBe(401);
  });

  it('answers malformed JSON with 400 and a body that is not JSON with 415', async () => {
    const broken = await t.app.request('/fmeapiv4/tokens', {
      method: 'POST',
      headers: { Authorization: AUTHOR, 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(400);
    const form = await t.app.request('/fmeapiv4/tokens', {
      method: 'POST',
      headers: { Authorization: AUTHOR, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
    });
    expect(form.status).toBe(415);
  });
});

describe('/fmeapiv4/repositories and /fmeapiv4/workspaces', () => {
  it('list only what the caller may read, page with limit and offset, and filter by filterString', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma'])
      await t.app.request(
        '/fmerest/v3/repositories',
        jsonInit('POST', AUTHOR, { name, description: `${name} data` }),
      );
    const list = async (authorization: string, query = '') =>
      v.parse(
        RepositoryV4ListSchema,
        await (
          await t.app.request(`/fmeapiv4/repositories${query}`, { headers: { Authorization: authorization } })
        ).json(),
      );
    expect((await list(GUEST)).items.map((r) => r.name)).toEqual(['Samples']);
    expect(await list(AUTHOR)).toMatchObject({ totalCount: 4, limit: -1, offset: -1 });
    const page = await list(AUTHOR, '?limit=1&offset=1');
    expect(page).toMatchObject({ totalCount: 4, limit: 1, offset: 1 });
    expect(page.items).toHaveLength(1);
    expect((await list(AUTHOR, '?filterString=BETA')).items.map((r) => r.name)).toEqual(['Beta']);
    const invalid = await t.app.request('/fmeapiv4/repositories?limit=many', {
      headers: { Authorization: AUTHOR },
    });
    expect(await errorOf(invalid)).toMatchObject({ status: 400, message: 'Parameter Validation Failed' });
  });

  it('answer 403 with FME’s message for a repository or workspace that is missing or hidden, as v4 does', async () => {
    await t.app.request('/fmerest/v3/repositories', jsonInit('POST', AUTHOR, { name: 'Private' }));
    const message =
      'Unauthorized request by user gus due to lack of proper permissions or the object does not exist.';
    for (const [method, path] of [
      ['GET', '/fmeapiv4/repositories/Private'],
      ['DELETE', '/fmeapiv4/repositories/Private'],
      ['GET', '/fmeapiv4/workspaces?repository=Private'],
      ['GET', '/fmeapiv4/workspaces/Private/any.fmw'],
      ['GET', '/fmeapiv4/workspaces/Samples/missing.fmw'],
    ] as const)
      expect(await errorOf(await t.app.request(path, jsonInit(method, GUEST)))).toMatchObject({
        status: 403,
        message,
      });
    // A missing repository is answered the same way, so the two cannot be told apart.
    expect(
      await errorOf(await t.app.request('/fmeapiv4/repositories/Nope', jsonInit('GET', GUEST))),
    ).toMatchObject({ status: 403, message });
    // Visible but not the guest's to remove: 403 naming the permission.
    expect(
      await errorOf(await t.app.request('/fmeapiv4/repositories/Samples', jsonInit('DELETE', GUEST))),
    ).toMatchObject({
      status: 403,
      details: { required: ['repository/Samples:manage'] },
    });
    expect(
      (await t.app.request('/fmeapiv4/repositories', jsonInit('POST', GUEST, { name: 'Nope' }))).status,
    ).toBe(403);
  });

  it('list workspaces only (not other items) across the readable repositories', async () => {
    const upload = (name: string) =>
      t.app.request('/fmerest/v3/repositories/Samples/items', {
        method: 'POST',
        headers: {
          Authorization: adminBasic,
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="${name}"`,
        },
        body: 'x',
      });
    expect((await upload('notes.txt')).status).toBe(201);
    expect((await upload('roads.fmw')).status).toBe(201);
    const res = await t.app.request('/fmeapiv4/workspaces', { headers: { Authorization: GUEST } });
    const list = v.parse(WorkspaceV4ListSchema, await res.json());
    expect(list.items.map((w) => w.name).sort()).toEqual(['austinApartments.fmw', 'roads.fmw']);
    const filtered = await t.app.request('/fmeapiv4/workspaces?filterString=road', {
      headers: { Authorization: GUEST },
    });
    expect(v.parse(WorkspaceV4ListSchema, await filtered.json()).items.map((w) => w.name)).toEqual([
      'roads.fmw',
    ]);
  });
});
