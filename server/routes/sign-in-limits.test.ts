// Sign-in protection through the routes: login, Basic auth and the token service.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { ADMIN_PASSWORD, basic, createTestApp, fmetoken } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  // In-memory requests have no socket; with `unknown` trusted, X-Forwarded-For names the client.
  t = await createTestApp({ app: { trustedProxies: ['unknown'] } });
});

const from = (client: string, headers: Record<string, string> = {}) => ({
  'X-Forwarded-For': client,
  ...headers,
});
const login = (client: string, password: string) =>
  t.app.request('/fmerest/v3/login', {
    method: 'POST',
    headers: from(client, { 'Content-Type': 'application/json' }),
    body: JSON.stringify({ user: 'admin', password }),
  });

describe('failed sign-ins', () => {
  it('slow down the client that fails, with 429 and Retry-After, and not the real user elsewhere', async () => {
    for (let i = 0; i < 6; i++) expect((await login('203.0.113.9', 'guess')).status).toBe(401);
    const limited = await login('203.0.113.9', ADMIN_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('1');
    expect(v.parse(ErrorBodySchema, await limited.json()).code).toBe('RATE_LIMITED');
    expect((await login('198.51.100.7', ADMIN_PASSWORD)).status).toBe(201);
    t.clock.advance(1);
    expect((await login('203.0.113.9', ADMIN_PASSWORD)).status).toBe(201);
  });

  it('count Basic auth and the token service too, per client', async () => {
    const wrong = basic('admin', 'guess');
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request('/fmerest/v3/info', {
        headers: from('203.0.113.9', { Authorization: wrong }),
      });
      expect(res.status).toBe(401);
    }
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request('/fmetoken/generate?user=admin&password=guess', {
        headers: from('203.0.113.9'),
      });
      expect(res.status).toBe(401);
    }
    const info = await t.app.request('/fmerest/v3/info', {
      headers: from('203.0.113.9', { Authorization: basic('admin', ADMIN_PASSWORD) }),
    });
    expect(info.status).toBe(429);
    const service = await t.app.request(
      `/fmetoken/generate?user=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}`,
      {
        headers: from('203.0.113.9'),
      },
    );
    expect(service.status).toBe(429);
  });

  it('stop an account at 100 failures an hour from any number of clients', async () => {
    for (let i = 0; i < 100; i++)
      expect((await login(`10.0.${Math.floor(i / 250)}.${i % 250}`, 'guess')).status).toBe(401);
    const res = await login('192.0.2.1', ADMIN_PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBe(3600);
    t.clock.advance(3600);
    expect((await login('192.0.2.1', ADMIN_PASSWORD)).status).toBe(201);
  });

  it('answer an unknown user exactly as a wrong password', async () => {
    const unknown = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: from('192.0.2.50', { 'Content-Type': 'application/json' }),
      body: JSON.stringify({ user: 'nobody', password: 'guess' }),
    });
    const wrong = await login('192.0.2.51', 'guess');
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.text()).toBe(await wrong.text());
  });

  it('never delay token verification', async () => {
    const created = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: from('192.0.2.60', {
        Authorization: basic('admin', ADMIN_PASSWORD),
        'Content-Type': 'application/json',
      }),
      body: JSON.stringify({ name: 'script' }),
    });
    const { token } = v.parse(v.object({ token: v.string() }), await created.json());
    for (let i = 0; i < 30; i++) await login('203.0.113.9', 'guess');
    const res = await t.app.request('/fmerest/v3/info', {
      headers: from('203.0.113.9', { Authorization: fmetoken(token) }),
    });
    expect(res.status).toBe(200);
  });
});

describe('review fixes', () => {
  it('a burst of wrong passwords sent at once gets no more than the free allowance before 429s', async () => {
    const wrong = basic('admin', 'guess');
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const res = await t.app.request('/fmerest/v3/info', {
          headers: from('203.0.113.77', { Authorization: wrong }),
        });
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
  });

  it('guessing the current password with a token is limited like any sign-in', async () => {
    const created = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: from('192.0.2.90', {
        Authorization: basic('admin', ADMIN_PASSWORD),
        'Content-Type': 'application/json',
      }),
      body: JSON.stringify({ name: 'stolen' }),
    });
    const { token } = v.parse(v.object({ token: v.string() }), await created.json());
    const guess = (currentPassword: string) =>
      t.app.request('/fmerest/v3/security/accounts/admin', {
        method: 'PUT',
        headers: from('203.0.113.88', { Authorization: fmetoken(token), 'Content-Type': 'application/json' }),
        body: JSON.stringify({ password: 'a brand new password', currentPassword }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await guess(`guess ${i}`)).status);
    expect(statuses.slice(0, 6)).toEqual([422, 422, 422, 422, 422, 422]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    // The right password is refused too while the client waits.
    expect((await guess(ADMIN_PASSWORD)).status).toBe(429);
  });

  it("a restricted token cannot change its owner's password at all", async () => {
    const created = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: from('192.0.2.92', {
        Authorization: basic('admin', ADMIN_PASSWORD),
        'Content-Type': 'application/json',
      }),
      body: JSON.stringify({ name: 'narrow', restricted: true, permissions: ['repositories:access'] }),
    });
    const { token } = v.parse(v.object({ token: v.string() }), await created.json());
    const res = await t.app.request('/fmerest/v3/security/accounts/admin', {
      method: 'PUT',
      headers: from('192.0.2.93', { Authorization: fmetoken(token), 'Content-Type': 'application/json' }),
      body: JSON.stringify({ password: 'a brand new password', currentPassword: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(403);
  });

  it('does not echo a password in a validation error', async () => {
    const res = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: from('192.0.2.91', { 'Content-Type': 'application/json' }),
      body: JSON.stringify({ user: 'admin', password: 12345678 }),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain('12345678');
  });
});
