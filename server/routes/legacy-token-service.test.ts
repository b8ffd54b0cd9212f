import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { TokenServiceResponseSchema } from '../../shared/schemas/session';
import { TokenListSchema } from '../../shared/schemas/token';
import { isWellFormedTokenValue } from '../../shared/token-format';
import { ADMIN_PASSWORD, adminBasic, createTestApp, fmetoken } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

const credentials = `user=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}`;
const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body,
});
const works = async (token: string) =>
  (await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(token) } })).status === 200;

async function serviceSessions() {
  const res = await t.app.request('/fmerest/v3/tokens?type=SESSION', {
    headers: { Authorization: adminBasic },
  });
  return v.parse(TokenListSchema, await res.json()).items;
}

describe('legacy token service', () => {
  it('GET /fmetoken/generate returns the bare token as text, as FME documents', async () => {
    const res = await t.app.request(`/fmetoken/generate?${credentials}&expiration=3&timeunit=day`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const token = await res.text();
    expect(isWellFormedTokenValue(token)).toBe(true);
    expect(await works(token)).toBe(true);
    const [session] = await serviceSessions();
    expect(session).toMatchObject({
      type: 'SESSION',
      source: 'tokenservice',
      expirationDate: '2026-11-25T10:00:00Z',
    });
  });

  it('HEAD /fmetoken/generate answers as GET would, without the body, and creates no session', async () => {
    for (const path of [
      '/fmetoken/generate',
      '/fmetoken/generate.json',
      '/fmetoken/service/generate',
      '/fmetoken/service/generate.json',
    ]) {
      const head = await t.app.request(`${path}?${credentials}&expiration=3&timeunit=day`, {
        method: 'HEAD',
      });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('Content-Type'), path).toMatch(
        path.endsWith('.json') ? /^application\/json/ : /^text\/plain/,
      );
      expect(head.headers.get('Cache-Control'), path).toBe('no-store');
      expect(await head.text(), path).toBe('');
    }
    const refused = await t.app.request('/fmetoken/generate?user=admin&password=wrong', { method: 'HEAD' });
    expect(refused.status).toBe(401);
    const tooLong = await t.app.request(`/fmetoken/generate?${credentials}&expiration=3&timeunit=year`, {
      method: 'HEAD',
    });
    expect(tooLong.status).toBe(422);
    expect(await serviceSessions()).toEqual([]);
    // The same GET mints one.
    expect(
      isWellFormedTokenValue(await (await t.app.request(`/fmetoken/generate?${credentials}`)).text()),
    ).toBe(true);
    expect(await serviceSessions()).toHaveLength(1);
  });

  it('a form POST to /fmetoken/generate.json returns serviceResponse.token', async () => {
    const res = await t.app.request(
      '/fmetoken/generate.json',
      form(`${credentials}&expiration=2&timeunit=hour`),
    );
    expect(res.status).toBe(200);
    const { serviceResponse } = v.parse(TokenServiceResponseSchema, await res.json());
    expect(serviceResponse.expirationDate).toBe('2026-11-22T12:00:00Z');
    expect(await works(serviceResponse.token)).toBe(true);
  });

  it('serves the older /fmetoken/service/generate paths, GET and POST, text and JSON', async () => {
    const text = await t.app.request('/fmetoken/service/generate', form(credentials));
    expect(isWellFormedTokenValue(await text.text())).toBe(true);
    const json = await t.app.request(`/fmetoken/service/generate.json?${credentials}`);
    expect(v.parse(TokenServiceResponseSchema, await json.json()).serviceResponse.token).toHaveLength(40);
    const get = await t.app.request(`/fmetoken/service/generate?${credentials}`);
    expect(get.status).toBe(200);
  });

  it('defaults to 5 minutes, fixed: the token is never extended', async () => {
    const token = await (await t.app.request(`/fmetoken/generate?${credentials}`)).text();
    expect((await serviceSessions())[0]?.expirationDate).toBe('2026-11-22T10:05:00Z');
    t.clock.advance(299);
    expect(await works(token)).toBe(true);
    t.clock.advance(1);
    expect(await works(token)).toBe(false);
  });

  it('accepts at most 2 years and only the four time units', async () => {
    expect(
      (await t.app.request(`/fmetoken/generate?${credentials}&expiration=730&timeunit=day`)).status,
    ).toBe(200);
    for (const [params, field] of [
      ['expiration=731&timeunit=day', 'expiration'],
      ['expiration=1&timeunit=week', 'timeunit'],
      ['expiration=0', 'expiration'],
      ['expiration=soon', 'expiration'],
    ]) {
      const res = await t.app.request(`/fmetoken/generate.json?${credentials}&${params}`);
      expect(res.status, params).toBe(422);
      expect(v.parse(ErrorBodySchema, await res.json()).details?.fields).toHaveProperty([field as string]);
    }
  });

  it('answers 401 for a wrong password or missing credentials', async () => {
    for (const query of ['user=admin&password=wrong', 'user=nobody&password=x', 'user=admin', '']) {
      const res = await t.app.request(`/fmetoken/generate?${query}`);
      expect(res.status, query).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    }
    expect(await serviceSessions()).toEqual([]);
  });

  it('serves an HTML form at /fmetoken/ that posts to the service', async () => {
    const res = await t.app.request('/fmetoken/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/fmetoken/service/generate">');
    for (const field of ['user', 'password', 'expiration', 'timeunit'])
      expect(html).toContain(`name="${field}"`);
    const redirect = await t.app.request('/fmetoken');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('Location')).toBe('/fmetoken/');
  });
});
