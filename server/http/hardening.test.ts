// HTTP hardening: security headers, HSTS only over HTTPS, 405 with Allow, 413 before parsing.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { adminBasic, createTestApp, jsonInit } from '../../test/fixtures/test-app';

describe('security headers', () => {
  it('sends nosniff and no-referrer everywhere, and a CSP on HTML pages only', async () => {
    const t = await createTestApp();
    const json = await t.app.request('/fmeinfo/version');
    expect(json.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(json.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(json.headers.get('Content-Security-Policy')).toBeNull();
    const unauthorized = await t.app.request('/fmerest/v3/info');
    expect(unauthorized.headers.get('X-Content-Type-Options')).toBe('nosniff');
    for (const page of ['/fmetoken/', '/fmerest/apidoc/v3/']) {
      const html = await t.app.request(page);
      expect(html.headers.get('Content-Type')).toMatch(/^text\/html/);
      const policy = html.headers.get('Content-Security-Policy') ?? '';
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(html.headers.get('X-Frame-Options')).toBe('DENY');
    }
  });

  it('sends HSTS for a year over HTTPS, and believes X-Forwarded-Proto only from a trusted proxy', async () => {
    const direct = await createTestApp();
    expect(
      (await direct.app.request('http://tokenward.test/fmeinfo/version')).headers.get(
        'Strict-Transport-Security',
      ),
    ).toBeNull();
    expect(
      (await direct.app.request('https://tokenward.test/fmeinfo/version')).headers.get(
        'Strict-Transport-Security',
      ),
    ).toBe('max-age=31536000');
    const spoofed = await direct.app.request('/fmeinfo/version', {
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(spoofed.headers.get('Strict-Transport-Security')).toBeNull();
    // In-memory requests have no socket; `unknown` stands for the proxy in front of this app.
    const proxied = await createTestApp({ app: { trustedProxies: ['unknown'] } });
    const viaProxy = await proxied.app.request('/fmeinfo/version', {
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(viaProxy.headers.get('Strict-Transport-Security')).toBe('max-age=31536000');
  });
});

describe('methods', () => {
  it.each([
    ['PATCH', '/fmerest/v3/tokens', 'GET, HEAD, POST'],
    ['POST', '/fmeinfo/version', 'GET, HEAD'],
    ['DELETE', '/fmerest/v3/login', 'POST'],
    ['PATCH', '/fmerest/v3/tokens/admin/some%20token', 'DELETE, GET, HEAD, PUT'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const t = await createTestApp();
    const res = await t.app.request(path, { method, headers: { Authorization: adminBasic } });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe(allow);
    expect(v.parse(ErrorBodySchema, await res.json()).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('still answers 404 where nothing is served', async () => {
    const t = await createTestApp();
    expect((await t.app.request('/fmerest/v3/nothing', { method: 'PATCH' })).status).toBe(404);
  });
});

describe('body limits', () => {
  it('refuses a JSON body over 64 KiB with 413 before reading it as JSON', async () => {
    const t = await createTestApp();
    const huge = JSON.stringify({ name: 'x', description: 'd'.repeat(70 * 1024) });
    const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, JSON.parse(huge)));
    expect(res.status).toBe(413);
    expect(v.parse(ErrorBodySchema, await res.json()).code).toBe('PAYLOAD_TOO_LARGE');
    const notEvenJson = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{'.repeat(100 * 1024),
    });
    expect(notEvenJson.status).toBe(413);
  });

  it('refuses very long field values with 422 naming the field', async () => {
    const t = await createTestApp();
    const res = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'n'.repeat(10_000) }),
    );
    expect(res.status).toBe(422);
    expect(v.parse(ErrorBodySchema, await res.json()).details?.fields).toHaveProperty('name');
  });
});
