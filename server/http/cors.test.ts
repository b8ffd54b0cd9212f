// CORS: pages on configured origins can call the API and read its answers, 401 and 403 included.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { CreatedTokenSchema } from '../../shared/schemas/token';
import { basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

const PAGE = 'http://127.0.0.1:5173';

async function app() {
  return createTestApp({ app: { corsOrigins: [PAGE] } });
}

describe('CORS', () => {
  it('answers a preflight from an allowed origin without credentials, allowing Authorization', async () => {
    const t = await app();
    const res = await t.app.request('/fmerest/v3/tokens', {
      method: 'OPTIONS',
      headers: {
        Origin: PAGE,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(PAGE);
    expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Max-Age')).toBe('600');
  });

  it('puts the headers on 401 and 403 too, so the page can read why', async () => {
    const t = await app();
    const unauthorized = await t.app.request('/fmerest/v3/info', { headers: { Origin: PAGE } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('Access-Control-Allow-Origin')).toBe(PAGE);
    expect(unauthorized.headers.get('Access-Control-Expose-Headers')).toContain('WWW-Authenticate');

    await t.addUser('gus', 'gus password', ['fmeguest']);
    const created = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', basic('gus', 'gus password'), { name: 'page' }),
    );
    const { token } = v.parse(CreatedTokenSchema, await created.json());
    // The guest may read Samples but not remove it: a 403 naming repository/Samples:manage.
    const forbidden = await t.app.request('/fmerest/v3/repositories/Samples', {
      method: 'DELETE',
      headers: { Origin: PAGE, Authorization: fmetoken(token) },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('Access-Control-Allow-Origin')).toBe(PAGE);
  });

  it('gives nothing to an origin that is not configured', async () => {
    const t = await app();
    const preflight = await t.app.request('/fmerest/v3/tokens', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const get = await t.app.request('/fmeinfo/version', { headers: { Origin: 'https://evil.example' } });
    expect(get.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const none = await createTestApp();
    const res = await none.app.request('/fmeinfo/version', { headers: { Origin: PAGE } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('answers a preflight before authentication with no origins configured, allowing nothing', async () => {
    const none = await createTestApp();
    for (const path of ['/fmerest/v3/tokens', '/fmerest/v3/security/accounts', '/fmeinfo/version']) {
      const preflight = await none.app.request(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get('WWW-Authenticate'), path).toBeNull();
      expect(preflight.headers.get('Access-Control-Allow-Origin'), path).toBeNull();
      expect(preflight.headers.get('Access-Control-Allow-Methods'), path).toBeNull();
    }
  });
});
