// Property tests of the JSON bodies: generated bodies never cause a 5xx, a 2xx only follows a body
// the route's schema accepts, what was accepted reads back as sent, and a body that is not JSON is a 400.
import fc from 'fast-check';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SignInPolicy } from '../server/auth/sign-in-limiter';
import { missingDependencies, ROLE_NAMES, ROLE_PERMISSIONS } from '../shared/permissions';
import { AccountListSchema, AccountSchema, CreateAccountBodySchema } from '../shared/schemas/account';
import {
  CreateRepositoryBodySchema,
  RepositoryListSchema,
  RepositorySchema,
} from '../shared/schemas/repository';
import { LoginBodySchema, SessionTokenSchema } from '../shared/schemas/session';
import {
  CreatedTokenSchema,
  CreateTokenBodySchema,
  DuplicateTokenBodySchema,
  type Token,
  TokenListSchema,
  TokenSchema,
  UpdateTokenBodySchema,
} from '../shared/schemas/token';
import { ADMIN_PASSWORD, adminBasic, basic, createTestApp, fmetoken, jsonInit } from './fixtures/test-app';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
/** The admin's own API token: token auth keeps argon2 out of every request. */
let admin: string;
const TARGET = 'target';

// The sign-in limiter is not under test here (server/routes/sign-in-limits.test.ts covers it); with its
// defaults, generated wrong passwords would soon turn every sign-in into a 429 and hide the 201 path.
const NO_SIGN_IN_LIMITS: SignInPolicy = {
  freeFailuresPerPair: Number.MAX_SAFE_INTEGER,
  freeFailuresPerClient: Number.MAX_SAFE_INTEGER,
  maxDelaySeconds: 1,
  maxFailuresPerAccountPerHour: Number.MAX_SAFE_INTEGER,
};

beforeAll(async () => {
  t = await createTestApp({ app: { signInPolicy: NO_SIGN_IN_LIMITS } });
  for (const name of ['caller', TARGET]) {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name, expirationTimeout: 86400 }),
    );
    expect(res.status).toBe(201);
    const { token } = v.parse(CreatedTokenSchema, await res.json());
    if (name === 'caller') admin = fmetoken(token);
  }
});

function send(method: string, path: string, body: string | Uint8Array, authorization?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (authorization !== undefined) headers.Authorization = authorization;
  // A copy on its own ArrayBuffer: what the fetch types accept as a body.
  return t.app.request(path, {
    method,
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function getJson(path: string, authorization = admin): Promise<unknown> {
  const res = await t.app.request(path, { headers: { Authorization: authorization } });
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

const tokenPath = (name: string) => `/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`;

async function listedToken(name: string): Promise<Token | undefined> {
  const list = v.parse(TokenListSchema, await getJson('/fmerest/v3/tokens?limit=-1'));
  return list.items.find((item) => item.name === name);
}

/** What was actually sent: the serialised text parsed back, so dropped `undefined`s and -0 do not matter. */
function sentBody(text: string): unknown {
  return JSON.parse(text);
}

const field = <K extends string>(body: unknown, key: K): unknown =>
  typeof body === 'object' && body !== null && key in body ? (body as Record<K, unknown>)[key] : undefined;

// --- generators -------------------------------------------------------------------------------------------

/** Texts near the edges of textName/freeText: white space, control and format characters, NFC, lengths. */
const edgyText = fc.constantFrom(
  '',
  ' ',
  ' a',
  'a ',
  '\u00a0a',
  'a\u3000',
  '\ufeffa',
  'a\u200b',
  'a\u2028b',
  'a\tb',
  'a\nb',
  'a\u0000b',
  'a\u007fb',
  'a\u0085b',
  'e\u0301',
  'e\u0301'.repeat(128),
  'e\u0301'.repeat(129),
  'a'.repeat(128),
  'a'.repeat(129),
  '😀'.repeat(128),
  'x'.repeat(1024),
  'x'.repeat(1025),
  'a:b',
  'a/b',
  'a*',
  'Samples',
  'admin',
  '%2F',
  '<script>',
  "'; DROP TABLE tokens; --",
  'x\ud800',
  '\udc00',
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  { weight: 2, arbitrary: edgyText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 140 }) },
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
const anyField = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), anyJson);
const orAny = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyField });
const seconds = fc.oneof(
  fc.integer({ min: 1, max: 10 * 366 * 24 * 3600 }),
  fc.constantFrom(0, -1, 1.5, 10 * 366 * 24 * 3600 + 1, 2 ** 53, 1e308, -0),
  fc.double(),
);
const dates = fc.oneof(
  fc
    .integer({ min: -3650, max: 4000 })
    .map((days) => new Date(t.clock.now() + days * 86400_000).toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2027-02-30T00:00:00Z',
    '2027-01-01',
    '2027-01-01T00:00:00+14:00',
    'tomorrow',
    '2027-13-01T00:00:00Z',
  ),
  text,
);
const knownPermission = fc.constantFrom(...(ROLE_PERMISSIONS.fmeadmin ?? []), 'repository/Samples:read');
const permissions = fc.array(
  fc.oneof({ weight: 4, arbitrary: knownPermission }, { weight: 1, arbitrary: text }),
  {
    maxLength: 8,
  },
);
const unknownKeys = fc.dictionary(fc.string({ maxLength: 12 }), anyField, { maxKeys: 2 });

/** Records shaped like a route's body: each field valid, near-valid or arbitrary; sometimes extra keys. */
function shaped(fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.option(unknownKeys, { freq: 4 }))
    .map(([known, extra]) => (extra === null ? known : { ...extra, ...known }));
}

/**
 * JSON text of a body: bodies built to be valid (so the 2xx path is exercised and read back), records shaped
 * like the body with arbitrary field values and unknown keys, and arbitrary JSON and values serialised.
 */
function bodyText(valid: fc.Arbitrary<object>, fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((body) => JSON.stringify(body)) },
    { weight: 4, arbitrary: shaped(fields).map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }).map((x) => JSON.stringify(x) ?? 'null') },
  );
}

/** A name or description a person would type: mostly plain, sometimes at the edges. */
const goodText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: edgyText },
);
const goodExpiration = fc.oneof(
  fc.constant({}),
  fc.record({ expirationTimeout: fc.integer({ min: 1, max: 10 * 365 * 24 * 3600 }) }),
  fc.record({
    expirationDate: fc
      .integer({ min: 1, max: 3650 * 24 })
      .map((hours) => new Date(t.clock.now() + hours * 3600_000).toISOString()),
  }),
);
/** A permission set with everything it depends on, as a restricted token needs. */
const closedPermissions = fc
  .subarray([...(ROLE_PERMISSIONS.fmeadmin ?? []), 'repository/Samples:read', 'repository/Samples:run'], {
    minLength: 1,
    maxLength: 6,
  })
  .map((chosen) => [...chosen, ...missingDependencies(chosen)]);
const goodRestriction = fc.oneof(
  fc.constant({}),
  fc.record({ restricted: fc.constant(false) }),
  fc.record({ restricted: fc.constant(true), permissions: closedPermissions }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drops the keys whose value is undefined, as JSON.stringify would, so the objects compare as sent. */
const merge = (...parts: object[]) => JSON.parse(JSON.stringify(Object.assign({}, ...parts))) as object;

const createTokenFields = {
  name: orAny(text),
  description: orAny(text),
  expirationTimeout: orAny(seconds),
  expirationDate: orAny(dates),
  enabled: orAny(fc.boolean()),
  restricted: orAny(fc.boolean()),
  permissions: orAny(permissions),
  user: orAny(fc.oneof(fc.constant('admin'), text)),
};

const validCreateToken = fc
  .tuple(
    fc.record({ name: goodText, description: optional(goodText), enabled: optional(fc.boolean()) }),
    goodExpiration,
    goodRestriction,
    fc.option(fc.constant({ user: 'admin' })),
  )
  .map((parts) => merge(...parts.filter((part) => part !== null)));

/** Bodies that are not JSON at all, as text and as raw bytes (which may not even be UTF-8). */
const notJson = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.tuple(shaped(createTokenFields), fc.nat()).map(([body, cut]) => {
      const full = JSON.stringify(body);
      return full.slice(0, cut % full.length);
    }),
    fc.constantFrom(
      '',
      '{',
      '{"name": "x",}',
      "{'name': 'x'}",
      '{"name": "x"}}',
      'NaN',
      'undefined',
      '\ufeff',
    ),
  )
  .filter((body) => {
    try {
      // As the server reads it: UTF-8 decoded, which drops a leading BOM and replaces invalid sequences.
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      JSON.parse(new TextDecoder().decode(bytes));
      return false;
    } catch {
      return true;
    }
  });

// --- properties -------------------------------------------------------------------------------------------

/** How many generated bodies each route accepted: a property whose bodies are all refused tests little. */
const accepted = new Map<string, number>();
function expectSomeAccepted(route: string, atLeast: number) {
  expect(accepted.get(route) ?? 0, `${route}: too few generated bodies were accepted`).toBeGreaterThanOrEqual(
    atLeast,
  );
}

/** Never a 5xx; a 2xx only for a body the schema accepts; a body the schema refuses is a 422 naming fields. */
function checkStatus(
  route: string,
  schema: v.GenericSchema,
  text: string,
  res: Response,
  also: number[] = [],
) {
  const label = `${route} ${text} → ${res.status}`;
  expect(res.status, label).toBeLessThan(500);
  const valid = v.safeParse(schema, sentBody(text)).success;
  if (res.ok) {
    expect(valid, `${label}: accepted a body the schema refuses`).toBe(true);
    accepted.set(route, (accepted.get(route) ?? 0) + 1);
  }
  if (!valid) expect([422, ...also], label).toContain(res.status);
}

describe('generated JSON bodies', () => {
  it('POST /fmerest/v3/tokens: a 201 only for a valid body, and the token reads back as sent', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText(validCreateToken, createTokenFields), async (text) => {
        const res = await send('POST', '/fmerest/v3/tokens', text, admin);
        const sent = sentBody(text);
        checkStatus('POST /tokens', CreateTokenBodySchema, text, res, [403, 409]);
        if (res.status !== 201) return;
        const body = v.parse(CreateTokenBodySchema, sent);
        const created = v.parse(CreatedTokenSchema, await res.json());
        expect(created.name).toBe(body.name);
        expect(created.name).toBe(String(field(sent, 'name')).normalize('NFC'));
        expect(created.description).toBe(body.description ?? '');
        expect(created.enabled).toBe(body.enabled ?? true);
        expect(created.restricted).toBe(body.restricted ?? false);
        if (created.restricted) expect(created.permissions).toEqual([...new Set(body.permissions)].sort());
        if (body.expirationTimeout !== undefined) {
          expect(Date.parse(created.expirationDate) - Date.parse(created.createdDate)).toBe(
            body.expirationTimeout * 1000,
          );
        }
        const { token: value, ...shown } = created;
        expect(await listedToken(created.name)).toEqual({ ...shown, current: false });
        const use = await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(value) } });
        expect(use.status).toBe(created.enabled ? 200 : 401);
      }),
      {
        numRuns: 300,
        examples: [
          [JSON.stringify({ name: 'lone \ud800 surrogate' })],
          [JSON.stringify({ name: 'ok', description: 'lone \udc00' })],
        ],
      },
    );
  });

  it('PUT /fmerest/v3/tokens/admin/<existing>: a 204 only for a valid body, and the change reads back', async () => {
    const updateFields = {
      description: orAny(text),
      expirationTimeout: orAny(seconds),
      expirationDate: orAny(dates),
      enabled: orAny(fc.boolean()),
      restricted: orAny(fc.boolean()),
      permissions: orAny(permissions),
    };
    await fc.assert(
      fc.asyncProperty(
        bodyText(
          fc
            .tuple(
              fc.record({ description: optional(goodText), enabled: optional(fc.boolean()) }),
              goodExpiration,
              goodRestriction,
            )
            .map((parts) => merge(...parts)),
          updateFields,
        ),
        async (text) => {
          const before = v.parse(TokenSchema, await getJson(tokenPath(TARGET)));
          const res = await send('PUT', tokenPath(TARGET), text, admin);
          const sent = sentBody(text);
          checkStatus('PUT /tokens/admin/target', UpdateTokenBodySchema, text, res, [403]);
          const after = v.parse(TokenSchema, await getJson(tokenPath(TARGET)));
          if (!res.ok) {
            expect(after, 'a refused update changed the token').toEqual(before);
            return;
          }
          expect(res.status).toBe(204);
          const body = v.parse(UpdateTokenBodySchema, sent);
          expect(after.description).toBe(body.description ?? before.description);
          expect(after.enabled).toBe(body.enabled ?? before.enabled);
          expect(after.restricted).toBe(body.restricted ?? before.restricted);
          if (body.permissions !== undefined)
            expect(after.permissions).toEqual([...new Set(body.permissions)].sort());
          if (body.expirationTimeout !== undefined) {
            expect(Date.parse(after.expirationDate)).toBe(t.clock.now() + body.expirationTimeout * 1000);
          }
        },
      ),
      { numRuns: 300, examples: [[JSON.stringify({ description: 'lone \udc00 surrogate' })]] },
    );
    expectSomeAccepted('PUT /tokens/admin/target', 30);
  });

  it('POST /fmerest/v3/tokens/admin/<existing>/duplicate: a 201 only for a valid body, and the copy reads back', async () => {
    const duplicateFields = {
      name: orAny(text),
      description: orAny(text),
      expirationTimeout: orAny(seconds),
      expirationDate: orAny(dates),
      enabled: orAny(fc.boolean()),
    };
    await fc.assert(
      fc.asyncProperty(
        bodyText(
          fc
            .tuple(
              fc.record({ name: goodText, description: optional(goodText), enabled: optional(fc.boolean()) }),
              goodExpiration,
            )
            .map((parts) => merge(...parts)),
          duplicateFields,
        ),
        async (text) => {
          const res = await send('POST', `${tokenPath(TARGET)}/duplicate`, text, admin);
          const sent = sentBody(text);
          checkStatus('POST /tokens/admin/target/duplicate', DuplicateTokenBodySchema, text, res, [403, 409]);
          if (res.status !== 201) return;
          const body = v.parse(DuplicateTokenBodySchema, sent);
          const source = v.parse(TokenSchema, await getJson(tokenPath(TARGET)));
          const created = v.parse(CreatedTokenSchema, await res.json());
          expect(created.name).toBe(String(field(sent, 'name')).normalize('NFC'));
          expect(created.description).toBe(body.description ?? source.description);
          expect(created.enabled).toBe(body.enabled ?? true);
          expect(created.restricted).toBe(source.restricted);
          expect(created.permissions).toEqual(source.permissions);
          const { token: _value, ...shown } = created;
          expect(await listedToken(created.name)).toEqual({ ...shown, current: false });
        },
      ),
      { numRuns: 300, examples: [[JSON.stringify({ name: 'copy \ud800' })]] },
    );
    expectSomeAccepted('POST /tokens/admin/target/duplicate', 30);
  });

  it('POST /fmerest/v3/login: a 201 only for a valid body with the right password', async () => {
    const loginFields = {
      user: orAny(fc.oneof(fc.constant('admin'), text)),
      password: orAny(fc.oneof(fc.constant(ADMIN_PASSWORD), text)),
      kind: orAny(fc.constantFrom('web', 'apidoc', 'tokenservice', 'WEB')),
    };
    await fc.assert(
      fc.asyncProperty(
        bodyText(
          fc
            .record({
              user: fc.oneof({ weight: 3, arbitrary: fc.constant('admin') }, goodText),
              password: fc.oneof({ weight: 3, arbitrary: fc.constant(ADMIN_PASSWORD) }, goodText),
              kind: optional(fc.constantFrom('web', 'apidoc')),
            })
            .map((body) => merge(body)),
          loginFields,
        ),
        async (text) => {
          const res = await send('POST', '/fmerest/v3/login', text);
          const sent = sentBody(text);
          // 429: sign-in is rate-limited per account, and many generated bodies name admin.
          checkStatus('POST /login', LoginBodySchema, text, res, [429]);
          if (res.status !== 201) return;
          const body = v.parse(LoginBodySchema, sent);
          expect(body.user).toBe('admin');
          expect(body.password).toBe(ADMIN_PASSWORD);
          const session = v.parse(SessionTokenSchema, await res.json());
          expect(session.user).toBe('admin');
          expect(session.source).toBe(body.kind ?? 'web');
        },
      ),
      { numRuns: 120 },
    );
    expectSomeAccepted('POST /login', 2);
  });

  it('POST /fmerest/v3/security/accounts: a 201 only for a valid body, and the user can sign in as created', async () => {
    const accountFields = {
      name: orAny(text),
      password: orAny(fc.oneof(fc.string({ unit: 'grapheme', minLength: 8, maxLength: 30 }), text)),
      roles: orAny(fc.array(fc.oneof(fc.constantFrom(...ROLE_NAMES), text), { maxLength: 5 })),
      enabled: orAny(fc.boolean()),
    };
    await fc.assert(
      fc.asyncProperty(
        bodyText(
          fc
            .record({
              name: goodText,
              password: fc.string({ unit: 'grapheme', minLength: 8, maxLength: 30 }),
              roles: optional(fc.subarray(ROLE_NAMES)),
              enabled: optional(fc.boolean()),
            })
            .map((body) => merge(body)),
          accountFields,
        ),
        async (text) => {
          const res = await send('POST', '/fmerest/v3/security/accounts', text, admin);
          const sent = sentBody(text);
          checkStatus('POST /security/accounts', CreateAccountBodySchema, text, res, [409]);
          if (res.status !== 201) return;
          const body = v.parse(CreateAccountBodySchema, sent);
          const created = v.parse(AccountSchema, await res.json());
          expect(created.name).toBe(String(field(sent, 'name')).normalize('NFC'));
          const accounts = v.parse(AccountListSchema, await getJson('/fmerest/v3/security/accounts'));
          const stored = accounts.items.find((account) => account.name === created.name);
          expect(stored).toEqual(created);
          if (stored === undefined) return;
          expect(new Set(stored.roles)).toEqual(new Set(body.roles ?? ['fmeuser']));
          expect(stored.enabled).toBe(body.enabled ?? true);
          const signIn = await t.app.request('/fmerest/v3/info', {
            headers: { Authorization: basic(created.name, body.password) },
          });
          expect(signIn.status, `sign in as ${JSON.stringify(created.name)}`).toBe(
            stored.enabled ? 200 : 401,
          );
        },
      ),
      { numRuns: 120, examples: [[JSON.stringify({ name: 'user \ud800', password: 'password one' })]] },
    );
  });

  it('POST /fmerest/v3/repositories: a 201 only for a valid body, and the repository is listed as sent', async () => {
    const repositoryFields = { name: orAny(text), description: orAny(text) };
    await fc.assert(
      fc.asyncProperty(
        bodyText(
          fc.record({ name: goodText, description: optional(goodText) }).map((body) => merge(body)),
          repositoryFields,
        ),
        async (text) => {
          const res = await send('POST', '/fmerest/v3/repositories', text, admin);
          const sent = sentBody(text);
          checkStatus('POST /repositories', CreateRepositoryBodySchema, text, res, [409]);
          if (res.status !== 201) return;
          const body = v.parse(CreateRepositoryBodySchema, sent);
          const created = v.parse(RepositorySchema, await res.json());
          expect(created.name).toBe(String(field(sent, 'name')).normalize('NFC'));
          expect(created.description).toBe(body.description ?? '');
          const list = v.parse(RepositoryListSchema, await getJson('/fmerest/v3/repositories'));
          expect(list.items.find((item) => item.name === created.name)).toEqual(created);
        },
      ),
      {
        numRuns: 300,
        examples: [
          [JSON.stringify({ name: 'repo \ud800' })],
          [JSON.stringify({ name: 'repo', description: '\udfff' })],
        ],
      },
    );
    expectSomeAccepted('POST /repositories', 30);
  });

  // A URL cannot carry a path segment that is exactly "." or "..": clients (and the WHATWG URL parser in
  // fetch and in app.request) resolve it away, also when written %2E. A name the API accepts must be
  // reachable at its own address, or the user can never edit or remove what they created.
  it.each(['.', '..'])(
    'a token, repository or user named %j can be read at its own address',
    async (name) => {
      const routes: Array<[string, object, string]> = [
        ['/fmerest/v3/tokens', { name }, tokenPath(name)],
        ['/fmerest/v3/repositories', { name }, `/fmerest/v3/repositories/${encodeURIComponent(name)}`],
        [
          '/fmerest/v3/security/accounts',
          { name, password: 'password one' },
          `/fmerest/v3/security/accounts/${encodeURIComponent(name)}`,
        ],
      ];
      for (const [collection, body, address] of routes) {
        const created = await send('POST', collection, JSON.stringify(body), admin);
        if (created.status === 422) continue; // refused up front: nothing unreachable was made
        expect(created.status, `POST ${collection} ${JSON.stringify(body)}`).toBe(201);
        const read = await t.app.request(address, { headers: { Authorization: admin } });
        expect(read.status, `GET ${address} after creating ${JSON.stringify(name)}`).toBe(200);
      }
    },
  );

  it('answers a body that is not JSON with 400 on every JSON route', async () => {
    const routes: Array<[string, string, string | undefined]> = [
      ['POST', '/fmerest/v3/tokens', admin],
      ['PUT', tokenPath(TARGET), admin],
      ['POST', `${tokenPath(TARGET)}/duplicate`, admin],
      ['POST', '/fmerest/v3/login', undefined],
      ['POST', '/fmerest/v3/security/accounts', admin],
      ['POST', '/fmerest/v3/repositories', admin],
    ];
    await fc.assert(
      fc.asyncProperty(notJson, fc.constantFrom(...routes), async (body, [method, path, authorization]) => {
        const res = await send(method, path, body, authorization);
        const shown =
          typeof body === 'string' ? JSON.stringify(body) : `bytes ${Buffer.from(body).toString('hex')}`;
        expect(res.status, `${method} ${path} ${shown} → ${res.status}`).toBe(400);
      }),
      { numRuns: 400 },
    );
  });
});
