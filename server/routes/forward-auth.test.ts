import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { createTokenValue } from '../../shared/token-format';
import {
  adminBasic,
  basic,
  createTestApp,
  createTokenInApp,
  fmetoken,
  jsonInit,
} from '../../test/fixtures/test-app';
import { headerSafe } from './forward-auth';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;

interface Tokens {
  admin: string;
  restricted: string;
  guest: string;
}
let tokens: Tokens;

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('guest', 'guest password', ['fmeguest']);
  tokens = {
    admin: await createTokenInApp(t.app, adminBasic, { name: 'gateway' }),
    restricted: await createTokenInApp(t.app, adminBasic, {
      name: 'samples reader',
      restricted: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
    }),
    guest: await createTokenInApp(t.app, basic('guest', 'guest password'), { name: 'guest gateway' }),
  };
});

function verify(query: string, headers: Record<string, string> = {}) {
  return t.app.request(`/auth/verify${query}`, { headers });
}

async function errorOf(res: Response) {
  return v.parse(ErrorBodySchema, await res.json());
}

const tokenPath = (user: string, name: string) =>
  `/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;

interface Case {
  name: string;
  query: string;
  headers: (tokens: Tokens) => Record<string, string>;
  status: number;
  /** On 204: the X-Auth-* headers; null = header absent. */
  user?: string;
  tokenName?: string | null;
  tokenType?: string | null;
  /** On 4xx: the error code, and for 403 the permission named in details.required. */
  code?: string;
  required?: string;
}

const cases: Case[] = [
  {
    name: 'a header token, no permission asked: valid credentials are enough',
    query: '',
    headers: (k) => ({ Authorization: fmetoken(k.admin) }),
    status: 204,
    user: 'admin',
    tokenName: 'gateway',
    tokenType: 'USER',
  },
  {
    name: 'a header token holding every permission asked',
    query: '?permission=repository/Samples:read&permission=repositories:create',
    headers: (k) => ({ Authorization: fmetoken(k.admin) }),
    status: 204,
    user: 'admin',
    tokenName: 'gateway',
    tokenType: 'USER',
  },
  {
    name: 'a token in the fmetoken parameter of X-Original-URI',
    query: '?permission=repository/Samples:read',
    headers: (k) => ({ 'X-Original-URI': `/api/things?x=1&fmetoken=${k.admin}` }),
    status: 204,
    user: 'admin',
    tokenName: 'gateway',
    tokenType: 'USER',
  },
  {
    name: "a token in the fmetoken parameter of Traefik's X-Forwarded-Uri",
    query: '?permission=repository/Samples:read',
    headers: (k) => ({ 'X-Forwarded-Uri': `/api/things?fmetoken=${k.admin}` }),
    status: 204,
    user: 'admin',
    tokenName: 'gateway',
    tokenType: 'USER',
  },
  {
    name: 'the same token in the header and in X-Original-URI counts once',
    query: '',
    headers: (k) => ({ Authorization: fmetoken(k.admin), 'X-Original-URI': `/api/?fmetoken=${k.admin}` }),
    status: 204,
    user: 'admin',
    tokenName: 'gateway',
  },
  {
    name: 'Basic auth: the user, and no token headers at all',
    query: '?permission=usermanagement:manage',
    headers: () => ({ Authorization: adminBasic }),
    status: 204,
    user: 'admin',
    tokenName: null,
    tokenType: null,
  },
  {
    name: 'a restricted token within its set',
    query: '?permission=repository/Samples:read',
    headers: (k) => ({ Authorization: fmetoken(k.restricted) }),
    status: 204,
    user: 'admin',
    tokenName: 'samples reader',
  },
  {
    name: "a restricted token is narrowed below its owner's permissions",
    query: '?permission=repository/Samples:read&permission=repository/Samples:write',
    headers: (k) => ({ Authorization: fmetoken(k.restricted) }),
    status: 403,
    code: 'FORBIDDEN',
    required: 'repository/Samples:write',
  },
  {
    name: 'a guest token on the repository its role grants',
    query: '?permission=repository/Samples:read',
    headers: (k) => ({ Authorization: fmetoken(k.guest) }),
    status: 204,
    user: 'guest',
    tokenName: 'guest gateway',
  },
  {
    name: "a guest token on a repository its role does not grant (all permissions = the role's)",
    query: '?permission=repository/Samples:read&permission=repository/Other:read',
    headers: (k) => ({ Authorization: fmetoken(k.guest) }),
    status: 403,
    code: 'FORBIDDEN',
    required: 'repository/Other:read',
  },
  {
    name: 'no credentials',
    query: '?permission=repository/Samples:read',
    headers: () => ({ 'X-Original-URI': '/api/things?fmetoken_not=1' }),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'an unknown (well-formed) token',
    query: '',
    headers: () => ({ Authorization: fmetoken(createTokenValue()) }),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'a wrong password',
    query: '',
    headers: () => ({ Authorization: basic('admin', 'not the password') }),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'two different tokens, header and X-Original-URI',
    query: '',
    headers: (k) => ({ Authorization: fmetoken(k.admin), 'X-Original-URI': `/api/?fmetoken=${k.guest}` }),
    status: 400,
    code: 'CONFLICTING_CREDENTIALS',
  },
  {
    name: 'two different tokens, both in X-Original-URI',
    query: '',
    headers: (k) => ({ 'X-Original-URI': `/api/?fmetoken=${k.admin}&fmetoken=${k.guest}` }),
    status: 400,
    code: 'CONFLICTING_CREDENTIALS',
  },
  {
    name: 'an unknown permission is a configuration error, whatever the credentials',
    query: '?permission=repository/Samples:read&permission=repository/Samples:fly',
    headers: (k) => ({ Authorization: fmetoken(k.admin) }),
    status: 422,
    code: 'VALIDATION_FAILED',
  },
];

describe('GET /auth/verify', () => {
  it.each(cases)('$name → $status', async (c) => {
    const res = await verify(c.query, c.headers(tokens));
    expect(res.status, await res.clone().text()).toBe(c.status);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    if (c.status === 204) {
      expect(await res.text()).toBe('');
      expect(res.headers.get('X-Auth-User')).toBe(c.user);
      if (c.tokenName !== undefined) expect(res.headers.get('X-Auth-Token-Name')).toBe(c.tokenName);
      if (c.tokenType !== undefined) expect(res.headers.get('X-Auth-Token-Type')).toBe(c.tokenType);
      return;
    }
    expect(res.headers.get('X-Auth-User')).toBeNull();
    const error = await errorOf(res);
    expect(error.code).toBe(c.code);
    if (c.status === 401) {
      expect(res.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
      expect(error.message).toBe('Authentication failed: the credentials are missing, invalid or expired.');
    }
    expect(res.headers.get('X-Auth-Required')).toBe(c.required ?? null);
    if (c.required !== undefined) expect(error.details).toEqual({ required: [c.required] });
    if (c.status === 422)
      expect(error.details).toEqual({ fields: { permission: expect.stringContaining('fly') } });
  });

  it('names a session token as such', async () => {
    const login = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { Authorization: adminBasic },
    });
    expect(login.status).toBe(201);
    const session: unknown = await login.json();
    const value = v.parse(v.object({ token: v.string() }), session).token;
    const res = await verify('', { Authorization: fmetoken(value) });
    expect(res.status).toBe(204);
    expect(res.headers.get('X-Auth-Token-Type')).toBe('SESSION');
  });

  it('turns a token away at once when it is disabled, expired or deleted', async () => {
    const ask = () =>
      verify('?permission=repository/Samples:read', { Authorization: fmetoken(tokens.admin) });
    expect((await ask()).status).toBe(204);

    const disable = await t.app.request(
      tokenPath('admin', 'gateway'),
      jsonInit('PUT', adminBasic, { enabled: false }),
    );
    expect(disable.status).toBe(204);
    expect((await ask()).status).toBe(401);

    await t.app.request(tokenPath('admin', 'gateway'), jsonInit('PUT', adminBasic, { enabled: true }));
    expect((await ask()).status).toBe(204);
    const guest = () => verify('', { Authorization: fmetoken(tokens.guest) });
    expect((await guest()).status).toBe(204);
    const remove = await t.app.request(tokenPath('guest', 'guest gateway'), jsonInit('DELETE', adminBasic));
    expect(remove.status).toBe(204);
    expect((await guest()).status).toBe(401);

    t.clock.advance(31 * 24 * 3600); // past the default 30-day expiration
    expect((await ask()).status).toBe(401);
  });

  it('follows a change of the owner at once: a disabled owner is 401', async () => {
    const guest = await t.store.findUserByName('guest');
    if (!guest) throw new Error('no guest user');
    expect((await verify('', { Authorization: fmetoken(tokens.guest) })).status).toBe(204);
    await t.store.updateUser(guest.id, { enabled: false });
    expect((await verify('', { Authorization: fmetoken(tokens.guest) })).status).toBe(401);
  });

  it('sends non-ASCII names percent-encoded, so a header can carry them', async () => {
    const value = await createTokenInApp(t.app, adminBasic, { name: 'Déploiement 100% ✓' });
    const res = await verify('', { Authorization: fmetoken(value) });
    expect(res.status).toBe(204);
    const sent = res.headers.get('X-Auth-Token-Name') ?? '';
    expect(sent).toBe('D%C3%A9ploiement 100%25 %E2%9C%93');
    expect(decodeURIComponent(sent)).toBe('Déploiement 100% ✓');
    expect(headerSafe('CI deploy')).toBe('CI deploy');
  });
});
