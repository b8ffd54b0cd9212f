// Every 403 carries the RFC 6750 challenge naming the missing permissions, whichever route refused.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { CreatedTokenSchema } from '../../shared/schemas/token';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';
import { insufficientScope } from '../errors';

const ORIGIN = 'https://maps.example';
const GUEST = basic('gus', 'gus password');
let t: Awaited<ReturnType<typeof createTestApp>>;

beforeEach(async () => {
  t = await createTestApp({ app: { corsOrigins: [ORIGIN] } });
  await t.addUser('gus', 'gus password', ['fmeguest']);
});

async function createToken(authorization: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body));
  expect(res.status, await res.clone().text()).toBe(201);
  return v.parse(CreatedTokenSchema, await res.json()).token;
}

/** The scope tokens of a challenge, decoded; undefined when it has no scope. */
function scopesOf(challenge: string | null): string[] | undefined {
  expect(challenge).toMatch(/^fmetoken realm="tokenward", error="insufficient_scope"(, scope="[^"\\]*")?$/);
  const scope = /scope="([^"]*)"/.exec(challenge ?? '')?.[1];
  return scope?.split(' ').map(decodeURIComponent);
}

async function expect403(res: Response): Promise<string[] | undefined> {
  expect(res.status).toBe(403);
  const body = v.parse(ErrorBodySchema, await res.json());
  const scopes = scopesOf(res.headers.get('WWW-Authenticate'));
  // The header and the body say the same thing.
  expect(scopes).toEqual(body.details?.required);
  return scopes;
}

describe('403 WWW-Authenticate', () => {
  it.each([
    [
      'v3 repository removal',
      'DELETE',
      '/fmerest/v3/repositories/Samples',
      undefined,
      ['repository/Samples:manage'],
    ],
    [
      'v3 item download',
      'GET',
      '/fmerest/v3/repositories/Samples/items/austinApartments.fmw?accept=contents',
      undefined,
      ['repository/Samples:download'],
    ],
    ['v3 user list', 'GET', '/fmerest/v3/security/accounts', undefined, ['usermanagement:access']],
    ['v4 repository creation', 'POST', '/fmeapiv4/repositories', { name: 'Nope' }, ['repositories:create']],
    [
      'v4 repository removal',
      'DELETE',
      '/fmeapiv4/repositories/Samples',
      undefined,
      ['repository/Samples:manage'],
    ],
  ] as const)('%s names the permission', async (_name, method, path, body, required) => {
    expect(await expect403(await t.app.request(path, jsonInit(method, GUEST, body)))).toEqual(required);
  });

  it('forward auth (/auth/verify) names the permission the proxy asked for', async () => {
    const token = await createToken(GUEST, { name: 'gateway' });
    const res = await t.app.request('/auth/verify?permission=repositories:access&permission=jobs:manage', {
      headers: { Authorization: fmetoken(token) },
    });
    expect(await expect403(res)).toEqual(['jobs:manage']);
  });

  it('names every permission a token would need that its owner lacks', async () => {
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', GUEST, {
        name: 'wider',
        restricted: true,
        permissions: ['repositories:access', 'repositories:create', 'jobs:access', 'jobs:manage'],
      }),
    );
    expect((await expect403(res))?.sort()).toEqual(['jobs:access', 'jobs:manage', 'repositories:create']);
  });

  it('a 403 that is not about a permission still says insufficient_scope, without a scope', async () => {
    const narrow = await createToken(adminBasic, {
      name: 'narrow',
      restricted: true,
      permissions: ['repositories:access'],
    });
    const res = await t.app.request('/fmerest/v3/tokens/admin/narrow', jsonInit('DELETE', fmetoken(narrow)));
    expect(await expect403(res)).toBeUndefined();
  });

  it('a page on an allowed origin can read it', async () => {
    const res = await t.app.request('/fmeapiv4/repositories/Samples', {
      method: 'DELETE',
      headers: { Authorization: GUEST, Origin: ORIGIN },
    });
    expect(await expect403(res)).toEqual(['repository/Samples:manage']);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    const exposed = (res.headers.get('Access-Control-Expose-Headers') ?? '')
      .split(/\s*,\s*/)
      .map((h) => h.toLowerCase());
    expect(exposed).toContain('www-authenticate');
  });

  it('a 401 keeps its plain challenge', async () => {
    const res = await t.app.request('/fmeapiv4/repositories', {
      headers: { Authorization: fmetoken('nope') },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
  });
});

describe('insufficientScope', () => {
  it('percent-encodes what a scope token may not hold, so each decodes back', () => {
    const odd = 'repository/My "Maps" \\ é 100%:read';
    const challenge = insufficientScope([odd, 'jobs:access']);
    expect(challenge).toBe(
      'fmetoken realm="tokenward", error="insufficient_scope", scope="repository/My%20%22Maps%22%20%5C%20%C3%A9%20100%25:read jobs:access"',
    );
    expect(scopesOf(challenge)).toEqual([odd, 'jobs:access']);
  });
});
