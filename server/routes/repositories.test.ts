// The protected sample API: every route behind its permission, FME clients' calls, uploads and downloads.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import {
  ItemListSchema,
  ItemSchema,
  RepositoryListSchema,
  RepositorySchema,
} from '../../shared/schemas/repository';
import { CreatedTokenSchema } from '../../shared/schemas/token';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
const GUEST = basic('gus', 'gus password');
const USER = basic('uma', 'uma password');
const AUTHOR = basic('otto', 'otto password');
const BASE = '/fmerest/v3/repositories';

beforeEach(async () => {
  t = await createTestApp({ itemMaxBytes: 1024 });
  await t.addUser('gus', 'gus password', ['fmeguest']);
  await t.addUser('uma', 'uma password', ['fmeuser']);
  await t.addUser('otto', 'otto password', ['fmeauthor']);
});

const get = (path: string, authorization: string, headers: Record<string, string> = {}) =>
  t.app.request(path, { headers: { Authorization: authorization, ...headers } });
const upload = (repo: string, name: string, body: string, authorization: string) =>
  t.app.request(`${BASE}/${repo}/items`, {
    method: 'POST',
    headers: {
      Authorization: authorization,
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${name}"`,
    },
    body,
  });
const errorOf = async (res: Response) => ({
  status: res.status,
  ...v.parse(ErrorBodySchema, await res.json()),
});

describe('FME clients (FMEServer.js) against the sample API', () => {
  it('lists repositories and workspaces with the fmetoken header', async () => {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'FMEServer.js' }),
    );
    const { token } = v.parse(CreatedTokenSchema, await res.json());
    const repositories = v.parse(RepositoryListSchema, await (await get(BASE, fmetoken(token))).json());
    expect(repositories.items.map((r) => r.name)).toEqual(['Samples']);
    const items = await get(`${BASE}/Samples/items?type=WORKSPACE`, fmetoken(token));
    expect(items.status).toBe(200);
    expect(v.parse(ItemListSchema, await items.json()).items.map((i) => [i.name, i.type])).toEqual([
      ['austinApartments.fmw', 'WORKSPACE'],
    ]);
    const files = v.parse(
      ItemListSchema,
      await (await get(`${BASE}/Samples/items?type=FILE`, fmetoken(token))).json(),
    );
    expect(files.totalCount).toBe(0);
  });
});

describe('permissions per route', () => {
  it.each([
    ['fmeguest lists repositories', GUEST, 'GET', BASE, 200, undefined],
    ['fmeguest reads Samples', GUEST, 'GET', `${BASE}/Samples`, 200, undefined],
    ['fmeguest lists Samples items', GUEST, 'GET', `${BASE}/Samples/items`, 200, undefined],
    [
      'fmeguest downloads from Samples',
      GUEST,
      'GET',
      `${BASE}/Samples/items/austinApartments.fmw?accept=contents`,
      403,
      'repository/Samples:download',
    ],
    [
      'fmeguest deletes a Samples item',
      GUEST,
      'DELETE',
      `${BASE}/Samples/items/austinApartments.fmw`,
      403,
      'repository/Samples:write',
    ],
    ['fmeuser creates a repository', USER, 'POST', BASE, 403, 'repositories:create'],
    [
      'fmeuser downloads from Samples',
      USER,
      'GET',
      `${BASE}/Samples/items/austinApartments.fmw?accept=contents`,
      200,
      undefined,
    ],
    ['fmeuser deletes Samples', USER, 'DELETE', `${BASE}/Samples`, 403, 'repository/Samples:manage'],
    ['fmeauthor deletes Samples', AUTHOR, 'DELETE', `${BASE}/Samples`, 403, 'repository/Samples:manage'],
    ['fmeauthor reads a missing repository', AUTHOR, 'GET', `${BASE}/Nowhere`, 404, undefined],
    ['fmeguest reads a missing repository', GUEST, 'GET', `${BASE}/Nowhere`, 404, undefined],
  ])('%s → %i', async (_name, authorization, method, path, status, required) => {
    const res = await t.app.request(
      path,
      jsonInit(method, authorization, method === 'POST' ? { name: 'New' } : undefined),
    );
    expect(res.status).toBe(status);
    if (required) expect((await errorOf(res)).details).toEqual({ required: [required] });
  });

  it('lists only the repositories the caller may read', async () => {
    expect((await t.app.request(BASE, jsonInit('POST', AUTHOR, { name: 'Private' }))).status).toBe(201);
    const names = async (authorization: string) =>
      v.parse(RepositoryListSchema, await (await get(BASE, authorization)).json()).items.map((r) => r.name);
    expect(await names(AUTHOR)).toEqual(['Private', 'Samples']);
    expect(await names(USER)).toEqual(['Private', 'Samples']);
    expect(await names(GUEST)).toEqual(['Samples']);
  });

  it('lets the creator manage a repository their role alone would not', async () => {
    const created = await t.app.request(
      BASE,
      jsonInit('POST', AUTHOR, { name: 'Mine', description: "otto's" }),
    );
    expect(v.parse(RepositorySchema, await created.json())).toMatchObject({ name: 'Mine', owner: 'otto' });
    expect((await t.app.request(BASE, jsonInit('POST', AUTHOR, { name: 'Mine' }))).status).toBe(409);
    expect((await t.app.request(`${BASE}/Mine`, jsonInit('DELETE', USER))).status).toBe(403);
    expect((await t.app.request(`${BASE}/Mine`, jsonInit('DELETE', AUTHOR))).status).toBe(204);
  });

  it("holds a restricted token to its own set, within its owner's", async () => {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, {
        name: 'reader',
        restricted: true,
        permissions: ['repositories:access', 'repository/Samples:read'],
      }),
    );
    const reader = fmetoken(v.parse(CreatedTokenSchema, await res.json()).token);
    await t.app.request(BASE, jsonInit('POST', adminBasic, { name: 'Other' }));
    expect(
      v.parse(RepositoryListSchema, await (await get(BASE, reader)).json()).items.map((r) => r.name),
    ).toEqual(['Samples']);
    expect((await get(`${BASE}/Samples/items`, reader)).status).toBe(200);
    // A repository the token may not read answers as a missing one does: its existence does not leak.
    const hidden = await errorOf(await get(`${BASE}/Other`, reader));
    expect(hidden).toEqual(await errorOf(await get(`${BASE}/Nowhere`, reader)));
    expect(hidden).toMatchObject({
      status: 404,
      message:
        'Unauthorized request by user admin due to lack of proper permissions or the object does not exist.',
    });
    const download = await get(`${BASE}/Samples/items/austinApartments.fmw`, reader, {
      Accept: 'application/octet-stream',
    });
    expect(await errorOf(download)).toMatchObject({
      status: 403,
      details: { required: ['repository/Samples:download'] },
    });
    expect((await t.app.request(BASE, jsonInit('POST', reader, { name: 'Nope' }))).status).toBe(403);
  });
});

describe('items', () => {
  beforeEach(async () => {
    await t.app.request(BASE, jsonInit('POST', AUTHOR, { name: 'Work' }));
  });

  it('stores an upload and gives back the same bytes on download', async () => {
    const res = await upload('Work', 'parcels.fmw', '<workspace>parcels</workspace>', AUTHOR);
    expect(res.status).toBe(201);
    expect(v.parse(ItemSchema, await res.json())).toMatchObject({
      name: 'parcels.fmw',
      repository: 'Work',
      type: 'WORKSPACE',
      size: 30,
    });
    const metadata = await get(`${BASE}/Work/items/parcels.fmw`, AUTHOR);
    expect(v.parse(ItemSchema, await metadata.json()).size).toBe(30);
    const bytes = await get(`${BASE}/Work/items/parcels.fmw`, AUTHOR, { Accept: 'application/octet-stream' });
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('Content-Disposition')).toContain("filename*=UTF-8''parcels.fmw");
    expect(await bytes.text()).toBe('<workspace>parcels</workspace>');
    expect(await (await get(`${BASE}/Work/items/parcels.fmw?accept=contents`, AUTHOR)).text()).toBe(
      '<workspace>parcels</workspace>',
    );
  });

  it('takes multipart uploads too, and types items by extension', async () => {
    const form = new FormData();
    form.set('file', new File(['a,b\n1,2\n'], 'data.csv', { type: 'text/csv' }));
    const res = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: { Authorization: AUTHOR },
      body: form,
    });
    expect(res.status).toBe(201);
    expect(v.parse(ItemSchema, await res.json())).toMatchObject({
      name: 'data.csv',
      type: 'FILE',
      contentType: 'text/csv',
    });
  });

  it('refuses oversized uploads with 413, nameless ones with 422, and duplicates with 409', async () => {
    expect(await errorOf(await upload('Work', 'big.fmw', 'x'.repeat(1025), AUTHOR))).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    const nameless = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: { Authorization: AUTHOR, 'Content-Type': 'application/octet-stream' },
      body: 'x',
    });
    expect(nameless.status).toBe(422);
    expect((await upload('Work', 'a.fmw', 'x', AUTHOR)).status).toBe(201);
    expect((await upload('Work', 'a.fmw', 'y', AUTHOR)).status).toBe(409);
    expect(v.parse(ItemListSchema, await (await get(`${BASE}/Work/items`, AUTHOR)).json()).totalCount).toBe(
      1,
    );
  });

  it('answers malformed uploads with 4xx, never 500', async () => {
    const badName = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: {
        Authorization: AUTHOR,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': "attachment; filename*=UTF-8''%E0%A4%A",
      },
      body: 'x',
    });
    expect(badName.status).toBe(422);
    const badMultipart = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: { Authorization: AUTHOR, 'Content-Type': 'multipart/form-data; boundary=zzz' },
      body: 'garbage',
    });
    expect(badMultipart.status).toBe(400);
  });

  it('does not read a large form body before the caller is known, and still stores a small form upload', async () => {
    const big = 'x'.repeat(64 * 1024);
    const anonymous = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(big.length) },
      body: big,
    });
    expect(anonymous.status).toBe(401);
    const small = await t.app.request(`${BASE}/Work/items`, {
      method: 'POST',
      headers: {
        Authorization: AUTHOR,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': '7',
        'Content-Disposition': 'attachment; filename="form.txt"',
      },
      body: 'a=1&b=2',
    });
    expect(small.status).toBe(201);
  });

  it('needs write to upload or delete, and answers 404 for a missing item', async () => {
    expect(await errorOf(await upload('Samples', 'x.fmw', 'x', USER))).toMatchObject({
      status: 403,
      details: { required: ['repository/Samples:write'] },
    });
    await upload('Work', 'gone.fmw', 'x', AUTHOR);
    expect((await t.app.request(`${BASE}/Work/items/gone.fmw`, jsonInit('DELETE', AUTHOR))).status).toBe(204);
    expect((await get(`${BASE}/Work/items/gone.fmw`, AUTHOR)).status).toBe(404);
  });
});

describe('FME compatibility of the sample API', () => {
  it('creates a repository from a form (FME clients send one), and refuses unknown form fields', async () => {
    const form = (body: string) =>
      t.app.request(BASE, {
        method: 'POST',
        headers: { Authorization: AUTHOR, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    const created = await form('name=From+a+form&description=caf%C3%A9');
    expect(created.status).toBe(201);
    expect(v.parse(RepositorySchema, await created.json())).toMatchObject({
      name: 'From a form',
      description: 'café',
      owner: 'otto',
      sharable: true,
    });
    expect((await form('name=From+a+form')).status).toBe(409);
    expect((await errorOf(await form('name=x&colour=blue'))).details).toEqual({
      fields: { colour: 'is not a known field' },
    });
    expect((await form('description=nameless')).status).toBe(422);
  });

  it('echoes limit and offset as -1 when they are not given, and pages when they are', async () => {
    for (const name of ['A', 'B', 'C']) await t.app.request(BASE, jsonInit('POST', AUTHOR, { name }));
    const all = v.parse(RepositoryListSchema, await (await get(BASE, AUTHOR)).json());
    expect(all).toMatchObject({ totalCount: 4, limit: -1, offset: -1 });
    expect(all.items).toHaveLength(4);
    const second = v.parse(
      RepositoryListSchema,
      await (await get(`${BASE}?limit=2&offset=2`, AUTHOR)).json(),
    );
    expect(second).toMatchObject({ totalCount: 4, limit: 2, offset: 2 });
    expect(second.items.map((r) => r.name)).toEqual(all.items.slice(2).map((r) => r.name));
    const items = v.parse(ItemListSchema, await (await get(`${BASE}/Samples/items`, AUTHOR)).json());
    expect(items).toMatchObject({ limit: -1, offset: -1, totalCount: 1 });
  });

  it('answers 404 with FME’s message for what the caller may not read, 403 with details for a level it lacks', async () => {
    await t.app.request(BASE, jsonInit('POST', AUTHOR, { name: 'Private' }));
    await upload('Private', 'secret.fmw', 'x', AUTHOR);
    const fmeMessage =
      'Unauthorized request by user gus due to lack of proper permissions or the object does not exist.';
    for (const [method, path] of [
      ['GET', `${BASE}/Private`],
      ['DELETE', `${BASE}/Private`],
      ['GET', `${BASE}/Private/items`],
      ['GET', `${BASE}/Private/items/secret.fmw`],
      ['DELETE', `${BASE}/Private/items/secret.fmw`],
      ['GET', `${BASE}/Nowhere/items/secret.fmw`],
      ['GET', `${BASE}/Samples/items/nothing.fmw`],
    ] as const) {
      const res = await t.app.request(path, jsonInit(method, GUEST));
      expect({ path, ...(await errorOf(res)) }).toMatchObject({ path, status: 404, message: fmeMessage });
    }
    // An upload the caller may not make is refused before its size is: 404 here, not 413.
    const big = await upload('Private', 'big.fmw', 'x'.repeat(4096), GUEST);
    expect(big.status).toBe(404);
    // Samples is visible to the guest: a missing level is a 403 that names it.
    expect(await errorOf(await upload('Samples', 'new.fmw', 'x', GUEST))).toMatchObject({
      status: 403,
      details: { required: ['repository/Samples:write'] },
    });
  });

  it('shows items with FME’s fields: title, repositoryName, dates of the upload, sizes and counts', async () => {
    t.clock.advance(3600);
    await t.app.request(BASE, jsonInit('POST', AUTHOR, { name: 'Work' }));
    await upload('Work', 'roads.fmw', 'abcdef', AUTHOR);
    const item = v.parse(ItemSchema, await (await get(`${BASE}/Work/items/roads.fmw`, AUTHOR)).json());
    expect(item).toMatchObject({
      name: 'roads.fmw',
      title: 'roads',
      repositoryName: 'Work',
      type: 'WORKSPACE',
      userName: 'otto',
      lastSaveDate: '2026-11-22T11:00:00Z',
      lastPublishDate: '2026-11-22T11:00:00Z',
      totalFileSize: 6,
      fileSize: 6,
      fileCount: 1,
      totalRuns: 0,
    });
  });
});
