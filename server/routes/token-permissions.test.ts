// Restricted tokens against their owner's permissions, and the All Tokens view.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { CreatedTokenSchema, TokenListSchema } from '../../shared/schemas/token';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
const USER = basic('uma', 'uma password'); // fmeuser
const AUTHOR = basic('otto', 'otto password'); // fmeauthor

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('uma', 'uma password', ['fmeuser']);
  await t.addUser('otto', 'otto password', ['fmeauthor']);
});

const post = (authorization: string, body: unknown) =>
  t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body));
const tokenPath = (user: string, name: string) => `/fmerest/v3/tokens/${user}/${encodeURIComponent(name)}`;
async function created(res: Response) {
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(CreatedTokenSchema, await res.json());
}
async function errorOf(res: Response) {
  return { status: res.status, ...v.parse(ErrorBodySchema, await res.json()) };
}

describe('restricted tokens and the owner', () => {
  it.each([
    [
      'a permission the owner lacks',
      USER,
      ['repositories:access', 'repositories:create'],
      403,
      ['repositories:create'],
    ],
    [
      'a repository level the owner lacks',
      USER,
      ['repositories:access', 'repository/Samples:read', 'repository/Samples:write'],
      403,
      ['repository/Samples:write'],
    ],
    [
      'missing dependencies',
      USER,
      ['repository/Samples:run'],
      422,
      ['repositories:access', 'repository/Samples:read', 'runworkspace:access'],
    ],
    [
      'a missing access level',
      AUTHOR,
      ['automations:create', 'repositories:access', 'runworkspace:access'],
      422,
      ['automations:access'],
    ],
    [
      'owner lacks, and dependencies missing: 403 first',
      USER,
      ['usermanagement:manage'],
      403,
      ['usermanagement:manage'],
    ],
  ])('refuses %s', async (_name, authorization, permissions, status, required) => {
    const error = await errorOf(await post(authorization, { name: 't', restricted: true, permissions }));
    expect(error.status).toBe(status);
    expect(error.code).toBe(status === 403 ? 'FORBIDDEN' : 'PERMISSION_DEPENDENCIES');
    expect(error.details).toEqual({ required });
  });

  it('accepts the request again once the offered dependencies are granted', async () => {
    const first = await errorOf(
      await post(USER, { name: 'runner', restricted: true, permissions: ['repository/Samples:run'] }),
    );
    const required = v.parse(v.array(v.string()), first.details?.required);
    const token = await created(
      await post(USER, {
        name: 'runner',
        restricted: true,
        permissions: ['repository/Samples:run', ...required],
      }),
    );
    expect(token.permissions).toEqual([
      'repositories:access',
      'repository/Samples:read',
      'repository/Samples:run',
      'runworkspace:access',
    ]);
  });

  it('applies the same rules when permissions are edited', async () => {
    await created(await post(USER, { name: 'edit', restricted: true, permissions: ['jobs:access'] }));
    const lacking = await t.app.request(
      tokenPath('uma', 'edit'),
      jsonInit('PUT', USER, { permissions: ['jobs:access', 'jobs:manage'] }),
    );
    expect(await errorOf(lacking)).toMatchObject({ status: 403, details: { required: ['jobs:manage'] } });
    const deps = await t.app.request(
      tokenPath('uma', 'edit'),
      jsonInit('PUT', USER, { permissions: ['repository/Samples:download'] }),
    );
    expect(await errorOf(deps)).toMatchObject({ status: 422, code: 'PERMISSION_DEPENDENCIES' });
  });
});

describe('a restricted token is for calling APIs, not for managing tokens', () => {
  it('may list, but not create, edit, remove or duplicate tokens; its owner may', async () => {
    const narrow = await created(
      await post(AUTHOR, {
        name: 'narrow',
        restricted: true,
        permissions: ['repositories:access', 'repository/Samples:read'],
      }),
    );
    const as = fmetoken(narrow.token);
    const refusals = [
      await post(as, { name: 'narrower', restricted: true, permissions: ['repositories:access'] }),
      await post(as, { name: 'everything' }),
      await t.app.request(
        tokenPath('otto', 'narrow'),
        jsonInit('PUT', as, { expirationTimeout: 315_360_000 }),
      ),
      await t.app.request(tokenPath('otto', 'narrow'), jsonInit('PUT', as, { restricted: false })),
      await t.app.request(`${tokenPath('otto', 'narrow')}/duplicate`, jsonInit('POST', as, { name: 'copy' })),
      await t.app.request(tokenPath('otto', 'narrow'), jsonInit('DELETE', as)),
      // Whatever the body: the refusal comes before it is read, not a 422 about it.
      await post(as, { bogus: 1 }),
      await t.app.request(tokenPath('otto', 'narrow'), jsonInit('PUT', as, { bogus: 1 })),
      await t.app.request(`${tokenPath('otto', 'narrow')}/duplicate`, jsonInit('POST', as, {})),
      await t.app.request('/fmeapiv4/tokens', jsonInit('POST', as, { bogus: 1 })),
    ];
    for (const res of refusals) expect(await errorOf(res)).toMatchObject({ status: 403 });
    const listed = await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: as } });
    expect(listed.status).toBe(200);

    // An unrestricted token, like its owner's password, may manage them.
    const full = await created(await post(AUTHOR, { name: 'full' }));
    const ok = await t.app.request(
      `${tokenPath('otto', 'narrow')}/duplicate`,
      jsonInit('POST', fmetoken(full.token), { name: 'copy' }),
    );
    expect(ok.status).toBe(201);
  });
});

describe('All Tokens view', () => {
  beforeEach(async () => {
    await created(await post(USER, { name: 'uma token' }));
    await created(await post(AUTHOR, { name: 'otto token' }));
  });

  it("lists every user's tokens for administrators, filtered by owner", async () => {
    const list = async (query: string) => {
      const res = await t.app.request(`/fmerest/v3/tokens${query}`, {
        headers: { Authorization: adminBasic },
      });
      expect(res.status).toBe(200);
      return v.parse(TokenListSchema, await res.json());
    };
    expect((await list('?user=*')).items.map((i) => [i.user, i.name])).toEqual([
      ['otto', 'otto token'],
      ['uma', 'uma token'],
    ]);
    expect((await list('?user=uma')).items.map((i) => i.name)).toEqual(['uma token']);
    expect((await list('?user=nobody')).totalCount).toBe(0);
    expect((await list('?user=*&type=SESSION')).totalCount).toBe(0);
  });

  it('is refused to users without usermanagement:manage, and to an admin token restricted without it', async () => {
    const res = await t.app.request('/fmerest/v3/tokens?user=*', { headers: { Authorization: USER } });
    expect(await errorOf(res)).toMatchObject({
      status: 403,
      details: { required: ['usermanagement:manage'] },
    });
    const narrowAdmin = await created(
      await post(adminBasic, { name: 'no users', restricted: true, permissions: ['jobs:access'] }),
    );
    const byToken = await t.app.request('/fmerest/v3/tokens?user=*', {
      headers: { Authorization: fmetoken(narrowAdmin.token) },
    });
    expect(byToken.status).toBe(403);
  });

  it("lets administrators enable, disable and remove another user's token, and nothing more", async () => {
    const { token } = await created(await post(USER, { name: 'watched' }));
    const put = (body: unknown) =>
      t.app.request(tokenPath('uma', 'watched'), jsonInit('PUT', adminBasic, body));
    const info = async () =>
      (await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(token) } })).status;

    expect((await put({ enabled: false })).status).toBe(204);
    expect(await info()).toBe(401);
    expect((await put({ enabled: true })).status).toBe(204);
    expect(await info()).toBe(200);
    for (const body of [
      { description: 'x' },
      { expirationTimeout: 60 },
      { restricted: true, permissions: ['jobs:access'] },
    ]) {
      expect((await put(body)).status, JSON.stringify(body)).toBe(403);
    }
    const duplicate = await t.app.request(
      `${tokenPath('uma', 'watched')}/duplicate`,
      jsonInit('POST', adminBasic, { name: 'mine now' }),
    );
    expect(duplicate.status).toBe(403);
    expect((await post(adminBasic, { name: 'for uma', user: 'uma' })).status).toBe(403);
    const remove = await t.app.request(tokenPath('uma', 'watched'), {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(remove.status).toBe(204);
    expect(await info()).toBe(401);
  });
});
