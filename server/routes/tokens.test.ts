import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { CreatedTokenSchema, TokenListSchema, TokenSchema } from '../../shared/schemas/token';
import { crc32Hex, isWellFormedTokenValue } from '../../shared/token-format';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

async function create(body: Record<string, unknown>, authorization = adminBasic) {
  const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body));
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(CreatedTokenSchema, await res.json());
}

async function list(query = '', authorization = adminBasic) {
  const res = await t.app.request(`/fmerest/v3/tokens${query}`, {
    headers: { Authorization: authorization },
  });
  expect(res.status).toBe(200);
  return v.parse(TokenListSchema, await res.json());
}

async function errorOf(res: Response) {
  return v.parse(ErrorBodySchema, await res.json());
}

const info = (authorization: string) =>
  t.app.request('/fmerest/v3/info', { headers: { Authorization: authorization } });
const path = (user: string, name: string) =>
  `/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;

describe('POST /fmerest/v3/tokens', () => {
  it('creates an API token with Basic auth: defaults, value once, no-store', async () => {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'CI deploy' }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const created = v.parse(CreatedTokenSchema, await res.json());
    expect(isWellFormedTokenValue(created.token)).toBe(true);
    expect(created).toEqual({
      name: 'CI deploy',
      description: '',
      user: 'admin',
      type: 'USER',
      source: 'api',
      enabled: true,
      expired: false,
      restricted: false,
      createdDate: '2026-11-22T10:00:00Z',
      lastSaveDate: '2026-11-22T10:00:00Z',
      expirationDate: '2026-12-22T10:00:00Z',
      lastUsedDate: null,
      lastUsedAddress: null,
      lastUsedClient: null,
      current: false,
      exposed: false,
      exposedDate: null,
      token: created.token,
    });
  });

  it('accepts the body FME clients send (name, description, expirationTimeout, user, enabled, restricted)', async () => {
    const created = await create({
      name: 'fmeflow-cli',
      description: 'made by a script',
      expirationTimeout: 3600,
      user: 'admin',
      enabled: true,
      restricted: false,
    });
    expect(created.expirationDate).toBe('2026-11-22T11:00:00Z');
    expect(created.description).toBe('made by a script');
  });

  it('takes an expirationDate, and refuses one in the past, beyond 10 years, or together with a timeout', async () => {
    expect((await create({ name: 'a', expirationDate: '2027-01-01T00:00:00Z' })).expirationDate).toBe(
      '2027-01-01T00:00:00Z',
    );
    expect((await create({ name: 'b', expirationDate: '2027-01-01T02:00:00+02:00' })).expirationDate).toBe(
      '2027-01-01T00:00:00Z',
    );
    for (const [body, field, message] of [
      [{ expirationDate: '2026-11-22T09:59:59Z' }, 'expirationDate', 'must be in the future'],
      [{ expirationDate: '2037-01-01T00:00:00Z' }, 'expirationDate', 'must be at most 10 years from now'],
      [{ expirationDate: 'next week' }, 'expirationDate', 'must be an ISO 8601 date'],
      [{ expirationDate: '2027-01-01T00:00:00Z', expirationTimeout: 60 }, 'expirationDate', 'not both'],
      [{ expirationTimeout: 0 }, 'expirationTimeout', 'tokens always expire'],
      [{ expirationTimeout: 1.5 }, 'expirationTimeout', 'whole number'],
      [{ expirationTimeout: 11 * 366 * 86400 }, 'expirationTimeout', 'at most 10 years'],
    ] as const) {
      const res = await t.app.request(
        '/fmerest/v3/tokens',
        jsonInit('POST', adminBasic, { name: 'x', ...body }),
      );
      expect(res.status).toBe(422);
      const error = await errorOf(res);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.fields).toHaveProperty(field, expect.stringContaining(message));
    }
  });

  it('caps a lifetime at ten calendar years from now, to the second, for a date and for a timeout', async () => {
    const moveTo = (date: string) => t.clock.advance((Date.parse(date) - t.clock.now()) / 1000);
    const secondsUntil = (date: string) => (Date.parse(date) - t.clock.now()) / 1000;
    const refused = async (body: Record<string, unknown>) => {
      const res = await t.app.request(
        '/fmerest/v3/tokens',
        jsonInit('POST', adminBasic, { name: 'x', ...body }),
      );
      expect(res.status, JSON.stringify(body)).toBe(422);
      return (await errorOf(res)).details?.fields;
    };
    // Three 29 Februaries between 2026-12-07 and 2036-12-07: ten years are 3,653 days here.
    moveTo('2026-12-07T10:00:00Z');
    expect((await create({ name: 'date', expirationDate: '2036-12-07T10:00:00Z' })).expirationDate).toBe(
      '2036-12-07T10:00:00Z',
    );
    expect(await refused({ expirationDate: '2036-12-08T10:00:00Z' })).toEqual({
      expirationDate: 'must be at most 10 years from now',
    });
    expect(await refused({ expirationDate: '2036-12-07T10:00:01Z' })).toHaveProperty('expirationDate');
    const timeout = secondsUntil('2036-12-07T10:00:00Z');
    expect((await create({ name: 'timeout', expirationTimeout: timeout })).expirationDate).toBe(
      '2036-12-07T10:00:00Z',
    );
    expect(await refused({ expirationTimeout: timeout + 1 })).toEqual({
      expirationTimeout: 'must be at most 10 years',
    });
    // Two between 2029-01-01 and 2039-01-01: 3,652 days, and a 3,653-day timeout is a day too long.
    moveTo('2029-01-01T00:00:00Z');
    expect((await create({ name: 'short decade', expirationTimeout: 3652 * 86400 })).expirationDate).toBe(
      '2039-01-01T00:00:00Z',
    );
    expect(await refused({ expirationTimeout: 3653 * 86400 })).toEqual({
      expirationTimeout: 'must be at most 10 years',
    });
    // From 29 February, ten years end on the tenth year's 28 February (it has no 29th).
    moveTo('2032-02-29T12:00:00Z');
    expect((await create({ name: 'leap day', expirationDate: '2042-02-28T12:00:00Z' })).expirationDate).toBe(
      '2042-02-28T12:00:00Z',
    );
    expect(await refused({ expirationDate: '2042-03-01T12:00:00Z' })).toHaveProperty('expirationDate');
    // The same limit when an update or a duplicate sets the expiry.
    expect(
      (
        await t.app.request(
          path('admin', 'leap day'),
          jsonInit('PUT', adminBasic, { expirationDate: '2042-02-28T12:00:01Z' }),
        )
      ).status,
    ).toBe(422);
    expect(
      (
        await t.app.request(
          `${path('admin', 'leap day')}/duplicate`,
          jsonInit('POST', adminBasic, {
            name: 'copy',
            expirationTimeout: secondsUntil('2042-02-28T12:00:01Z'),
          }),
        )
      ).status,
    ).toBe(422);
  });

  it('refuses a date the calendar does not have on create, update and duplicate, rather than moving it', async () => {
    await create({ name: 'kept', expirationDate: '2027-02-28T00:00:00Z' });
    expect((await create({ name: 'leap', expirationDate: '2028-02-29T00:00:00Z' })).expirationDate).toBe(
      '2028-02-29T00:00:00Z',
    );
    const impossible = [
      '2027-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2027-04-31T12:00:00Z',
      '2027-02-31T02:00:00+02:00',
    ];
    for (const expirationDate of impossible) {
      for (const [method, url, body] of [
        ['POST', '/fmerest/v3/tokens', { name: 'feb30', expirationDate }],
        ['PUT', path('admin', 'kept'), { expirationDate }],
        ['POST', `${path('admin', 'kept')}/duplicate`, { name: 'copy', expirationDate }],
      ] as const) {
        const res = await t.app.request(url, jsonInit(method, adminBasic, body));
        expect(res.status, `${method} ${url} ${expirationDate}`).toBe(422);
        const error = await errorOf(res);
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(Object.keys(error.details?.fields as object)).toEqual(['expirationDate']);
      }
    }
    const names = (await list()).items.map((token) => token.name).sort();
    expect(names).toEqual(['kept', 'leap']);
    const kept = await t.app.request(path('admin', 'kept'), { headers: { Authorization: adminBasic } });
    expect(v.parse(TokenSchema, await kept.json()).expirationDate).toBe('2027-02-28T00:00:00Z');
  });

  it('answers 409 for a name the owner already has, and lets another user take it', async () => {
    await create({ name: 'deploy' });
    const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, { name: 'deploy' }));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('NAME_TAKEN');
    await t.addUser('alice', 'alice password');
    await create({ name: 'deploy' }, basic('alice', 'alice password'));
  });

  it('treats names that differ only in Unicode normalisation as the same name', async () => {
    await create({ name: 'Cafe\u0301' });
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'Caf\u00e9' }),
    );
    expect(res.status).toBe(409);
    const found = await t.app.request(path('admin', 'Caf\u00e9'), { headers: { Authorization: adminBasic } });
    expect(found.status).toBe(200);
  });

  it('lets exactly one of many concurrent creates of one name succeed', async () => {
    const { token } = await create({ name: 'runner' });
    const statuses = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const res = await t.app.request(
          '/fmerest/v3/tokens',
          jsonInit('POST', fmetoken(token), { name: 'same' }),
        );
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(24);
  });

  it('answers 400 to malformed JSON and 415 to a body that is not JSON', async () => {
    const malformed = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toEqual({
      message: 'The request body is not valid JSON.',
      code: 'MALFORMED_JSON',
    });
    const form = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
    });
    expect(form.status).toBe(415);
    expect((await errorOf(form)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 422 naming every invalid or unknown field', async () => {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: '', description: 7, enabled: 'yes', colour: 'red' }),
    );
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(error.details?.fields as object).sort()).toEqual([
      'colour',
      'description',
      'enabled',
      'name',
    ]);
    expect(error.details?.fields).toHaveProperty('colour', 'is not a known field');
    const notAnObject = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, ['name']));
    expect(notAnObject.status).toBe(422);
  });

  it('names an unknown field called __proto__ or constructor like any other', async () => {
    for (const [name, body] of [
      ['__proto__', '{"name":"x","__proto__":{"admin":true}}'],
      ['constructor', '{"name":"x","constructor":"y"}'],
      ['name, constructor', '{"name":"","constructor":2}'],
    ] as const) {
      const res = await t.app.request('/fmerest/v3/tokens', {
        method: 'POST',
        headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
        body,
      });
      expect(res.status, body).toBe(422);
      // Read as JSON.parse reads it (own properties, whatever their names), not through a schema.
      const error = JSON.parse(await res.text());
      expect(error.code).toBe('VALIDATION_FAILED');
      const fields = Object.entries(error.details.fields);
      const unknown = name.split(', ').at(-1);
      expect(fields).toContainEqual([unknown, 'is not a known field']);
      expect(fields.map(([field]) => field)).toEqual(name.split(', '));
      expect(error.message).toBe(`Invalid request: check ${name}.`);
    }
    expect((await list()).totalCount).toBe(0);
  });

  it('checks names and descriptions: length, control characters, surrounding spaces', async () => {
    await create({ name: 'n'.repeat(128), description: 'd'.repeat(1024) });
    await create({ name: 'multi-line description', description: 'line one\nline two\tend' });
    for (const [body, field] of [
      [{ name: 'n'.repeat(129) }, 'name'],
      [{ name: 'tab\there' }, 'name'],
      [{ name: ' padded ' }, 'name'],
      [{ name: 'lone \ud800 surrogate' }, 'name'],
      [{ name: '.' }, 'name'],
      [{ name: '..' }, 'name'],
      [{ name: 'x', description: 'd'.repeat(1025) }, 'description'],
      [{ name: 'x', description: 'bell\u0007' }, 'description'],
    ] as const) {
      const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, body));
      expect(res.status).toBe(422);
      expect((await errorOf(res)).details?.fields).toHaveProperty(field);
    }
  });

  it('creates restricted tokens with their permissions, sorted and without repeats', async () => {
    const created = await create({
      name: 'Samples runner',
      restricted: true,
      permissions: [
        'runworkspace:access',
        'repository/Samples:run',
        'repository/Samples:read',
        'repositories:access',
        'runworkspace:access',
      ],
    });
    expect(created.restricted).toBe(true);
    expect(created.permissions).toEqual([
      'repositories:access',
      'repository/Samples:read',
      'repository/Samples:run',
      'runworkspace:access',
    ]);
  });

  it('refuses permissions that do not fit the restriction or are not in the catalogue', async () => {
    for (const [body, field] of [
      [{ restricted: true }, 'permissions'],
      [{ permissions: ['jobs:access'] }, 'permissions'],
      [{ restricted: false, permissions: ['jobs:access'] }, 'permissions'],
      [{ restricted: true, permissions: ['jobs:fly'] }, 'permissions.0'],
      [{ restricted: true, permissions: ['jobs:access', 'nothing'] }, 'permissions.1'],
    ] as const) {
      const res = await t.app.request(
        '/fmerest/v3/tokens',
        jsonInit('POST', adminBasic, { name: 'x', ...body }),
      );
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await errorOf(res)).details?.fields).toHaveProperty([field]);
    }
  });

  it('refuses to create a token for another user', async () => {
    await t.addUser('alice', 'alice password');
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'x', user: 'alice' }),
    );
    expect(res.status).toBe(403);
  });
});

describe('authenticating with a token', () => {
  it('works by header, by query (no-store), and by form body', async () => {
    const { token } = await create({ name: 'reader' });
    expect((await info(fmetoken(token))).status).toBe(200);
    expect((await info(`  FMETOKEN   TOKEN =  ${token} `)).status).toBe(200);

    const byQuery = await t.app.request(`/fmerest/v3/info?fmetoken=${token}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('Cache-Control')).toBe('no-store');
    const both = await t.app.request(`/fmerest/v3/info?fmetoken=${token}`, {
      headers: { Authorization: fmetoken(token) },
    });
    expect(both.status).toBe(200);

    const { token: other } = await create({ name: 'to remove' });
    const byForm = await t.app.request(path('admin', 'to remove'), {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(49) },
      body: `fmetoken=${other}`,
    });
    expect(byForm.status).toBe(204);
    expect(byForm.headers.get('Cache-Control')).toBe('no-store');
  });

  it('answers 400 to two different credentials in one request', async () => {
    const { token: a } = await create({ name: 'a' });
    const { token: b } = await create({ name: 'b' });
    const res = await t.app.request(`/fmerest/v3/info?fmetoken=${b}`, {
      headers: { Authorization: fmetoken(a) },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('CONFLICTING_CREDENTIALS');
    const basicAndToken = await t.app.request(`/fmerest/v3/info?fmetoken=${a}`, {
      headers: { Authorization: adminBasic },
    });
    expect(basicAndToken.status).toBe(400);
  });

  it('gives one and the same 401 for every kind of bad credential', async () => {
    const { token: valid } = await create({ name: 'valid' });
    const { token: disabled } = await create({ name: 'disabled', enabled: false });
    const { token: expiring } = await create({ name: 'expiring', expirationTimeout: 60 });
    const { token: removed } = await create({ name: 'removed' });
    await t.app.request(path('admin', 'removed'), {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    await t.addUser('carol', 'carol password');
    const { token: ownerDisabled } = await create({ name: 'carol token' }, basic('carol', 'carol password'));
    const carol = await t.store.findUserByName('carol');
    // Disabled directly in the store: the user administration endpoints are their own issue.
    await t.store.updateUser(carol?.id ?? -1, { enabled: false });
    t.clock.advance(60);

    const badChecksum = `${valid.slice(0, 39)}${valid[39] === '0' ? '1' : '0'}`;
    const unknown = '0'.repeat(32) + crc32Hex('0'.repeat(32));
    const attempts: Record<string, RequestInit> = {
      missing: {},
      'unknown scheme': { headers: { Authorization: `Bearer ${valid}` } },
      'bad checksum': { headers: { Authorization: fmetoken(badChecksum) } },
      'well-formed but unknown': { headers: { Authorization: fmetoken(unknown) } },
      disabled: { headers: { Authorization: fmetoken(disabled) } },
      expired: { headers: { Authorization: fmetoken(expiring) } },
      removed: { headers: { Authorization: fmetoken(removed) } },
      'wrong password': { headers: { Authorization: basic('admin', 'wrong') } },
      'unknown user': { headers: { Authorization: basic('nobody', 'whatever') } },
      'owner disabled': { headers: { Authorization: fmetoken(ownerDisabled) } },
      'disabled user with the right password': {
        headers: { Authorization: basic('carol', 'carol password') },
      },
    };
    const bodies = new Set<string>();
    for (const [kind, init] of Object.entries(attempts)) {
      const res = await t.app.request('/fmerest/v3/info', init);
      expect(res.status, kind).toBe(401);
      expect(res.headers.get('WWW-Authenticate'), kind).toBe('fmetoken realm="tokenward"');
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
    expect((await info(fmetoken(valid))).status).toBe(200);
    await t.store.updateUser(carol?.id ?? -1, { enabled: true });
    expect((await info(fmetoken(ownerDisabled))).status).toBe(200);
  });

  it('rejects a value with a wrong checksum without asking the store', async () => {
    const store = openSqliteStore(':memory:');
    const lookups: string[] = [];
    const counting: Store = {
      ...store,
      findTokenByDigest: (digest) => {
        lookups.push(digest);
        return store.findTokenByDigest(digest);
      },
    };
    t = await createTestApp({ store: counting });
    const { token } = await create({ name: 'real' });
    expect((await info(fmetoken(token))).status).toBe(200);
    expect(lookups).toHaveLength(1);
    const wrongChecksum = `${token.slice(0, 32)}${token.slice(32) === '00000000' ? '11111111' : '00000000'}`;
    for (const value of [wrongChecksum, token.toUpperCase(), `${token}0`, 'x'.repeat(40)]) {
      expect((await info(fmetoken(value))).status).toBe(401);
    }
    expect(lookups).toHaveLength(1);
  });

  it('refuses a token from the second it expires', async () => {
    const { token } = await create({ name: 'short', expirationTimeout: 10 });
    t.clock.advance(9);
    expect((await info(fmetoken(token))).status).toBe(200);
    t.clock.advance(1);
    expect((await info(fmetoken(token))).status).toBe(401);
  });

  it('records the last use, at most once a minute', async () => {
    const { token } = await create({ name: 'used' });
    await info(fmetoken(token));
    await new Promise((resolve) => setImmediate(resolve));
    const get = async () =>
      v.parse(
        TokenSchema,
        await (await t.app.request(path('admin', 'used'), { headers: { Authorization: adminBasic } })).json(),
      );
    expect((await get()).lastUsedDate).toBe('2026-11-22T10:00:00Z');
    t.clock.advance(30);
    await info(fmetoken(token));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await get()).lastUsedDate).toBe('2026-11-22T10:00:00Z');
    t.clock.advance(30);
    await info(fmetoken(token));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await get()).lastUsedDate).toBe('2026-11-22T10:01:00Z');
  });

  it('does not count a validity check (GET /security/me, a token lookup) as a use', async () => {
    const { token } = await create({ name: 'checked' });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const me = await t.app.request('/fmerest/v3/security/me', {
      headers: { Authorization: fmetoken(token) },
    });
    expect(me.status).toBe(200);
    const lookup = await t.app.request(path('admin', 'checked'), {
      headers: { Authorization: fmetoken(token) },
    });
    expect(lookup.status).toBe(200);
    await settle();
    const get = async () =>
      v.parse(
        TokenSchema,
        await (
          await t.app.request(path('admin', 'checked'), { headers: { Authorization: adminBasic } })
        ).json(),
      );
    expect((await get()).lastUsedDate).toBeNull();
    // A call to an API is a use.
    await info(fmetoken(token));
    await settle();
    expect((await get()).lastUsedDate).toBe('2026-11-22T10:00:00Z');
  });
});

describe('GET /fmerest/v3/tokens', () => {
  it('lists own tokens newest first in the FME envelope, never with values', async () => {
    const values: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      values.push((await create({ name })).token);
      t.clock.advance(1);
    }
    const res = await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: adminBasic } });
    const text = await res.text();
    for (const value of values) expect(text).not.toContain(value);
    const body = v.parse(TokenListSchema, JSON.parse(text));
    expect(body.items.map((i) => i.name)).toEqual(['three', 'two', 'one']);
    expect(body).toMatchObject({ totalCount: 3, limit: -1, offset: -1 });
    expect(body.items[0]).not.toHaveProperty('token');
  });

  it('pages with limit and offset; limit=-1 and offset=-1 mean everything', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await create({ name });
      t.clock.advance(1);
    }
    const page = await list('?limit=2&offset=1');
    expect(page.items.map((i) => i.name)).toEqual(['d', 'c']);
    expect(page).toMatchObject({ totalCount: 5, limit: 2, offset: 1 });
    expect((await list('?limit=-1&offset=-1')).items).toHaveLength(5);
    const bad = await t.app.request('/fmerest/v3/tokens?limit=many', {
      headers: { Authorization: adminBasic },
    });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).details?.fields).toHaveProperty('limit');
  });

  it('links each page to the next (body next, Link header) until the last, keeping filters', async () => {
    const { token: value } = await create({ name: 'a' });
    for (const name of ['b', 'c', 'd', 'e']) await create({ name });
    t.clock.advance(1);
    await create({ name: 'f' });
    // The credential in the query is not echoed into the link; the filter and limit are.
    let url: string | undefined = `/fmerest/v3/tokens?limit=2&type=USER&fmetoken=${value}`;
    const names: string[] = [];
    const links: string[] = [];
    while (url !== undefined) {
      // The first request is signed by its fmetoken parameter; the links carry no credential.
      const headers: Record<string, string> = url.includes('fmetoken') ? {} : { Authorization: adminBasic };
      const res = await t.app.request(url, { headers });
      expect(res.status).toBe(200);
      const page = v.parse(TokenListSchema, await res.json());
      names.push(...page.items.map((i) => i.name));
      expect(page.totalCount).toBe(6);
      const link = res.headers.get('Link');
      if (page.next === null) {
        expect(link).toBeNull();
        url = undefined;
      } else {
        expect(link).toBe(`</fmerest/v3/tokens?limit=2&type=USER&after=${page.next}>; rel="next"`);
        expect(page.next).toMatch(/^[\w-]+$/);
        links.push(link ?? '');
        url = `/fmerest/v3/tokens?limit=2&type=USER&after=${page.next}`;
      }
    }
    expect(names).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    expect(links).toHaveLength(2);
    expect(links.join()).not.toContain(value);
    // offset=0 with a cursor is the same page; a full list has no next page.
    expect(
      (await list(`?limit=2&offset=0&after=${(await list('?limit=2')).next}`)).items.map((i) => i.name),
    ).toEqual(['d', 'c']);
    expect((await list()).next).toBeNull();
  });

  it('refuses a cursor it did not make, or one combined with an offset, naming after', async () => {
    await create({ name: 'a' });
    await create({ name: 'b' });
    const next = (await list('?limit=1')).next;
    const notArrays = [
      'not a cursor',
      Buffer.from('{"createdAt":1,"id":1}').toString('base64url'),
      Buffer.from('[1.5,1]').toString('base64url'),
      'x'.repeat(300),
    ];
    for (const query of [
      ...notArrays.map((a) => `?after=${encodeURIComponent(a)}`),
      `?after=${next}&offset=1`,
    ]) {
      const res = await t.app.request(`/fmerest/v3/tokens${query}`, {
        headers: { Authorization: adminBasic },
      });
      expect(res.status, query).toBe(422);
      expect((await errorOf(res)).details?.fields, query).toHaveProperty('after');
    }
  });

  it('keeps expired tokens listed, marked expired, and filters by status and type', async () => {
    await create({ name: 'short', expirationTimeout: 60 });
    await create({ name: 'long' });
    t.clock.advance(61);
    const all = await list();
    expect(all.items.map((i) => [i.name, i.expired])).toEqual([
      ['long', false],
      ['short', true],
    ]);
    expect((await list('?status=expired')).items.map((i) => i.name)).toEqual(['short']);
    expect((await list('?status=active')).items.map((i) => i.name)).toEqual(['long']);
    expect((await list('?type=USER')).totalCount).toBe(2);
    expect((await list('?type=SESSION')).totalCount).toBe(0);
    const bad = await t.app.request('/fmerest/v3/tokens?status=later', {
      headers: { Authorization: adminBasic },
    });
    expect(bad.status).toBe(422);
  });

  it("marks the token that authenticated the request as current and shows only the caller's tokens", async () => {
    const { token } = await create({ name: 'mine' });
    await create({ name: 'other' });
    await t.addUser('alice', 'alice password');
    await create({ name: 'alice token' }, basic('alice', 'alice password'));
    const body = await list('', fmetoken(token));
    expect(body.items.map((i) => [i.name, i.current])).toEqual([
      ['other', false],
      ['mine', true],
    ]);
  });

  it("refuses another user's list without usermanagement:manage, naming the permission", async () => {
    await t.addUser('alice', 'alice password');
    const res = await t.app.request('/fmerest/v3/tokens?user=admin', {
      headers: { Authorization: basic('alice', 'alice password') },
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).details).toEqual({ required: ['usermanagement:manage'] });
  });
});

describe('GET, PUT, DELETE /fmerest/v3/tokens/{user}/{name}', () => {
  it('gets a token by URL-encoded name, and 404s an unknown one', async () => {
    await create({ name: 'with / slash & spaces ü' });
    const res = await t.app.request(path('admin', 'with / slash & spaces ü'), {
      headers: { Authorization: adminBasic },
    });
    expect(res.status).toBe(200);
    const token = v.parse(TokenSchema, await res.json());
    expect(token.name).toBe('with / slash & spaces ü');
    expect(token).not.toHaveProperty('token');
    const missing = await t.app.request(path('admin', 'nope'), { headers: { Authorization: adminBasic } });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('TOKEN_NOT_FOUND');
  });

  it("answers 403 for another user's token unless the caller manages users", async () => {
    await t.addUser('alice', 'alice password');
    await t.addUser('bob', 'bob password');
    await create({ name: 'hers' }, basic('alice', 'alice password'));
    const byBob = await t.app.request(path('alice', 'hers'), {
      headers: { Authorization: basic('bob', 'bob password') },
    });
    expect(byBob.status).toBe(403);
    expect((await errorOf(byBob)).details).toEqual({ required: ['usermanagement:manage'] });
    const byAdmin = await t.app.request(path('alice', 'hers'), { headers: { Authorization: adminBasic } });
    expect(byAdmin.status).toBe(200);
  });

  it('updates only the fields given, answers 204, and moves lastSaveDate', async () => {
    await create({ name: 'edit me', description: 'before', expirationTimeout: 3600 });
    t.clock.advance(10);
    const res = await t.app.request(
      path('admin', 'edit me'),
      jsonInit('PUT', adminBasic, { description: 'after' }),
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const token = v.parse(
      TokenSchema,
      await (
        await t.app.request(path('admin', 'edit me'), { headers: { Authorization: adminBasic } })
      ).json(),
    );
    expect(token).toMatchObject({
      description: 'after',
      enabled: true,
      expirationDate: '2026-11-22T11:00:00Z',
      createdDate: '2026-11-22T10:00:00Z',
      lastSaveDate: '2026-11-22T10:00:10Z',
    });
  });

  it('renews a token the way the FME renewal pipeline does: PUT {expirationTimeout}', async () => {
    const { token } = await create({ name: 'renew', expirationTimeout: 3600 });
    t.clock.advance(3000);
    const res = await t.app.request(
      path('admin', 'renew'),
      jsonInit('PUT', adminBasic, { expirationTimeout: 31536000 }),
    );
    expect(res.status).toBe(204);
    t.clock.advance(3600);
    expect((await info(fmetoken(token))).status).toBe(200);
  });

  it('disables a token so it fails at once, and enables it again', async () => {
    const { token } = await create({ name: 'switch' });
    await t.app.request(path('admin', 'switch'), jsonInit('PUT', adminBasic, { enabled: false }));
    expect((await info(fmetoken(token))).status).toBe(401);
    expect((await list()).items[0]?.enabled).toBe(false);
    await t.app.request(path('admin', 'switch'), jsonInit('PUT', adminBasic, { enabled: true }));
    expect((await info(fmetoken(token))).status).toBe(200);
  });

  it('enables an expired API token only together with a new expiration', async () => {
    const { token } = await create({ name: 'lapsed', expirationTimeout: 60 });
    t.clock.advance(120);
    const refused = await t.app.request(
      path('admin', 'lapsed'),
      jsonInit('PUT', adminBasic, { enabled: true }),
    );
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).details?.fields).toHaveProperty(
      'enabled',
      expect.stringContaining('new expiration'),
    );
    const renewed = await t.app.request(
      path('admin', 'lapsed'),
      jsonInit('PUT', adminBasic, { enabled: true, expirationTimeout: 3600 }),
    );
    expect(renewed.status).toBe(204);
    expect((await info(fmetoken(token))).status).toBe(200);
    // An expired token's other fields can still be edited.
    t.clock.advance(7200);
    const edited = await t.app.request(
      path('admin', 'lapsed'),
      jsonInit('PUT', adminBasic, { description: 'old' }),
    );
    expect(edited.status).toBe(204);
  });

  it('switches between All Permissions and a restricted set', async () => {
    await create({ name: 'scoped' });
    const needsPermissions = await t.app.request(
      path('admin', 'scoped'),
      jsonInit('PUT', adminBasic, { restricted: true }),
    );
    expect(needsPermissions.status).toBe(422);
    const onUnrestricted = await t.app.request(
      path('admin', 'scoped'),
      jsonInit('PUT', adminBasic, { permissions: ['jobs:access'] }),
    );
    expect(onUnrestricted.status).toBe(422);
    await t.app.request(
      path('admin', 'scoped'),
      jsonInit('PUT', adminBasic, { restricted: true, permissions: ['jobs:access'] }),
    );
    expect((await list()).items[0]).toMatchObject({ restricted: true, permissions: ['jobs:access'] });
    await t.app.request(
      path('admin', 'scoped'),
      jsonInit('PUT', adminBasic, { permissions: ['jobs:manage', 'jobs:access'] }),
    );
    expect((await list()).items[0]?.permissions).toEqual(['jobs:access', 'jobs:manage']);
    await t.app.request(path('admin', 'scoped'), jsonInit('PUT', adminBasic, { restricted: false }));
    const unrestricted = (await list()).items[0];
    expect(unrestricted?.restricted).toBe(false);
    expect(unrestricted).not.toHaveProperty('permissions');
  });

  it('refuses fields a token does not have, and an empty update changes nothing', async () => {
    await create({ name: 'fixed' });
    const rename = await t.app.request(
      path('admin', 'fixed'),
      jsonInit('PUT', adminBasic, { name: 'renamed' }),
    );
    expect(rename.status).toBe(422);
    expect((await errorOf(rename)).details?.fields).toHaveProperty('name', 'is not a known field');
    t.clock.advance(5);
    expect((await t.app.request(path('admin', 'fixed'), jsonInit('PUT', adminBasic, {}))).status).toBe(204);
    expect((await list()).items[0]?.lastSaveDate).toBe('2026-11-22T10:00:00Z');
  });

  it('deletes a token so it fails at once; a second delete is 404', async () => {
    const { token } = await create({ name: 'gone' });
    const res = await t.app.request(path('admin', 'gone'), {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(res.status).toBe(204);
    expect((await info(fmetoken(token))).status).toBe(401);
    const again = await t.app.request(path('admin', 'gone'), {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(again.status).toBe(404);
  });
});

describe('POST /fmerest/v3/tokens/{user}/{name}/duplicate', () => {
  it('creates a new token with a new value and the same permissions', async () => {
    const original = await create({
      name: 'original',
      description: 'runs Samples',
      restricted: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
      expirationTimeout: 60,
    });
    const res = await t.app.request(
      `${path('admin', 'original')}/duplicate`,
      jsonInit('POST', adminBasic, { name: 'copy' }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const copy = v.parse(CreatedTokenSchema, await res.json());
    expect(copy.token).not.toBe(original.token);
    expect(isWellFormedTokenValue(copy.token)).toBe(true);
    expect(copy).toMatchObject({
      name: 'copy',
      description: 'runs Samples',
      restricted: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
      enabled: true,
      expirationDate: '2026-12-22T10:00:00Z',
    });
    expect((await info(fmetoken(copy.token))).status).toBe(200);
    expect((await info(fmetoken(original.token))).status).toBe(200);
  });

  it('duplicates an expired token, with the given expiration and state', async () => {
    await create({ name: 'expired one', expirationTimeout: 60 });
    t.clock.advance(120);
    const copy = v.parse(
      CreatedTokenSchema,
      await (
        await t.app.request(
          `${path('admin', 'expired one')}/duplicate`,
          jsonInit('POST', adminBasic, {
            name: 'fresh',
            description: 'new',
            expirationTimeout: 600,
            enabled: false,
          }),
        )
      ).json(),
    );
    expect(copy).toMatchObject({
      description: 'new',
      enabled: false,
      expired: false,
      expirationDate: '2026-11-22T10:12:00Z',
    });
  });

  it('answers 409 for a taken name and 404 for an unknown source', async () => {
    await create({ name: 'a' });
    await create({ name: 'b' });
    const taken = await t.app.request(
      `${path('admin', 'a')}/duplicate`,
      jsonInit('POST', adminBasic, { name: 'b' }),
    );
    expect(taken.status).toBe(409);
    const missing = await t.app.request(
      `${path('admin', 'zzz')}/duplicate`,
      jsonInit('POST', adminBasic, { name: 'c' }),
    );
    expect(missing.status).toBe(404);
    const noName = await t.app.request(`${path('admin', 'a')}/duplicate`, jsonInit('POST', adminBasic, {}));
    expect(noName.status).toBe(422);
  });
});
