// Python and Java scripts against FME: header and ?fmetoken= together, serviceResponse.token, renewal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, adminBasic, fmetoken } from './fixtures/test-app';
import { startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());
const call = (path: string, init: RequestInit = {}) => fetch(`${server.baseUrl}${path}`, init);
const credentials = new URLSearchParams({ user: 'admin', password: ADMIN_PASSWORD });

describe('scripts', () => {
  it('GET /fmetoken/generate.json?… → serviceResponse.token, then header and ?fmetoken= with the same value', async () => {
    const res = await call(`/fmetoken/generate.json?${credentials}&expiration=1&timeunit=day`);
    expect(res.status).toBe(200);
    const { serviceResponse } = await res.json();
    expect(serviceResponse).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{40}$/),
      expirationDate: '2026-11-23T10:00:00Z',
    });
    const token: string = serviceResponse.token;
    const info = await call(`/fmerest/v3/info?fmetoken=${token}`, {
      headers: { Authorization: fmetoken(token) },
    });
    expect(info.status).toBe(200);
    expect(info.headers.get('Cache-Control')).toBe('no-store');
    const repositories = await call(`/fmerest/v3/repositories?fmetoken=${token}`, {
      headers: { Authorization: fmetoken(token) },
    });
    expect(await repositories.json()).toMatchObject({ items: [{ name: 'Samples', owner: null }] });
    const items = await call(`/fmerest/v3/repositories/Samples/items?fmetoken=${token}&limit=1&offset=0`, {
      headers: { Authorization: fmetoken(token) },
    });
    expect(await items.json()).toMatchObject({ totalCount: 1, limit: 1, offset: 0 });
  });

  it('GET /fmetoken/generate?… → the bare value (the CLI’s first release signed in this way)', async () => {
    const res = await call(`/fmetoken/generate?${credentials}&expiration=30&timeunit=day`);
    expect(res.status).toBe(200);
    const token = await res.text();
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(
      (await call('/fmerest/v3/repositories', { headers: { Authorization: fmetoken(token) } })).status,
    ).toBe(200);
  });

  it('creates a repository with a form carrying fmetoken, header and query too, and reads it back', async () => {
    const created = await call('/fmerest/v3/tokens', {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'deploy script', expirationTimeout: 3600 }),
    });
    const token: string = (await created.json()).token;
    const form = new URLSearchParams({ name: 'Scripts', description: 'from Python', fmetoken: token });
    const res = await call(`/fmerest/v3/repositories?fmetoken=${token}`, {
      method: 'POST',
      headers: { Authorization: fmetoken(token), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      name: 'Scripts',
      description: 'from Python',
      owner: 'admin',
      sharable: true,
    });
    const unknownField = await call('/fmerest/v3/repositories', {
      method: 'POST',
      headers: { Authorization: fmetoken(token), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=Other&colour=blue',
    });
    expect(unknownField.status).toBe(422);
  });

  it('the renewal pipeline: GET /fmerest/v3/tokens?limit=-1&offset=-1, then PUT expirationTimeout on each', async () => {
    const list = await call('/fmerest/v3/tokens?limit=-1&offset=-1', {
      headers: { Authorization: adminBasic },
    });
    const { items, limit, offset } = await list.json();
    expect({ limit, offset }).toEqual({ limit: -1, offset: -1 });
    const apiTokens = items.filter((item: { type: string }) => item.type === 'USER');
    expect(apiTokens.length).toBeGreaterThan(0);
    for (const { user, name } of apiTokens) {
      const res = await call(`/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
        body: JSON.stringify({ expirationTimeout: 31536000 }),
      });
      expect(res.status).toBe(204);
    }
  });

  it('two different credentials in one request are refused (400), not silently picked from', async () => {
    const a = (await (await call(`/fmetoken/generate.json?${credentials}`)).json()).serviceResponse.token;
    const b = (await (await call(`/fmetoken/generate.json?${credentials}`)).json()).serviceResponse.token;
    const res = await call(`/fmerest/v3/info?fmetoken=${a}`, { headers: { Authorization: fmetoken(b) } });
    expect(res.status).toBe(400);
  });
});
