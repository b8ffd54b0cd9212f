import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { InfoSchema, VersionSchema } from '../../shared/schemas/info';
import { adminBasic, createTestApp } from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

describe('public and info endpoints', () => {
  it('GET /fmeinfo/version needs no credentials and keeps FME clients on REST v3', async () => {
    const res = await t.app.request('/fmeinfo/version');
    expect(res.status).toBe(200);
    const version = v.parse(VersionSchema, await res.json());
    expect(version.buildNumber).toBeLessThan(25208);
    expect(version.build).toMatch(/Build \d+/);
  });

  it('GET /healthz is 200 while the store answers and 503 once it does not', async () => {
    const ok = await t.app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    await t.store.close();
    const down = await t.app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable' });
  });

  it('GET /fmerest/v3/info is 401 without credentials and 200 with them', async () => {
    const anonymous = await t.app.request('/fmerest/v3/info');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    const res = await t.app.request('/fmerest/v3/info', { headers: { Authorization: adminBasic } });
    expect(res.status).toBe(200);
    expect(v.parse(InfoSchema, await res.json())).toMatchObject({
      currentTime: '2026-11-22T10:00:00Z',
      timeZone: 'UTC',
    });
  });

  it('answers an unknown address with a JSON 404', async () => {
    const res = await t.app.request('/fmerest/v3/nothing-here');
    expect(res.status).toBe(404);
    expect(v.parse(ErrorBodySchema, await res.json()).code).toBe('NOT_FOUND');
  });

  it('logs one line per request without the query string or any header', async () => {
    t = await createTestApp({ logRequests: true });
    await t.app.request('/fmerest/v3/info?fmetoken=0123456789abcdef0123456789abcdef01234567', {
      headers: { Authorization: adminBasic },
    });
    expect(t.log.lines).toEqual([
      {
        level: 'info',
        message: 'request',
        fields: { method: 'GET', path: '/fmerest/v3/info', status: 400, ms: expect.any(Number) },
      },
    ]);
  });
});
