import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { InfoSchema, VersionSchema } from '../../shared/schemas/info';
import { adminBasic, createTestApp } from '../../test/fixtures/test-app';
import { createApp } from '../app';
import { loadConfig } from '../config';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

describe('public and info endpoints', () => {
  it('GET /fmeinfo/version needs no credentials and keeps FME clients on REST v3', async () => {
    const res = await t.app.request('/fmeinfo/version');
    expect(res.status).toBe(200);
    const version = v.parse(VersionSchema, await res.json());
    // Below every v4 threshold of Safe's CLI (the lowest: repositories and workspaces, 22337).
    expect(version.buildNumber).toBeLessThan(22337);
    expect(version).toMatchObject({ releaseYear: 2021, majorVersion: 0, minorVersion: 0, hotfixVersion: 0 });
    expect(version.buildString).toMatch(new RegExp(`^tokenward [\\d.]+ - Build ${version.buildNumber} - `));
  });

  it('GET /fmeinfo/version reports the configured build (FME_BUILD_NUMBER), for clients that should use v4', async () => {
    const config = loadConfig({ FME_BUILD_NUMBER: '25300' });
    const app = createApp({
      store: t.store,
      clock: t.clock,
      passwords: t.passwords,
      log: t.log,
      sessionPolicy: t.sessionPolicy,
      buildNumber: config.buildNumber,
    });
    const version = v.parse(VersionSchema, await (await app.request('/fmeinfo/version')).json());
    expect(version).toMatchObject({ buildNumber: 25300, releaseYear: 2025 });
    expect(version.buildString).toContain('Build 25300');
  });

  it('GET /healthz is 200 while the store answers and 503 once it does not', async () => {
    const ok = await t.app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', message: expect.any(String) });
    await t.store.close();
    const down = await t.app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', message: expect.any(String) });
  });

  it('GET /fmerest/v3/info is 401 without credentials and 200 with them', async () => {
    const anonymous = await t.app.request('/fmerest/v3/info');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    const res = await t.app.request('/fmerest/v3/info', { headers: { Authorization: adminBasic } });
    expect(res.status).toBe(200);
    expect(v.parse(InfoSchema, await res.json())).toMatchObject({
      currentTime: 'Sun-22-Nov-2026 10:00:00 AM',
      timeZone: '+0000',
      licenseManagement: false,
    });
    t.clock.advance(9 * 3600 + 20 * 60 + 24);
    const evening = await t.app.request('/fmerest/v3/info', { headers: { Authorization: adminBasic } });
    expect(v.parse(InfoSchema, await evening.json()).currentTime).toBe('Sun-22-Nov-2026 07:20:24 PM');
    t.clock.advance(5 * 3600);
    const midnight = await t.app.request('/fmerest/v3/info', { headers: { Authorization: adminBasic } });
    expect(v.parse(InfoSchema, await midnight.json()).currentTime).toBe('Mon-23-Nov-2026 12:20:24 AM');
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
