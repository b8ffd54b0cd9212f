// Health checks: /healthz and FME's v3 and v4 paths, without credentials, 503 once the store is gone.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { HealthSchema } from '../../shared/schemas/info';
import { basic, createTestApp, fmetoken } from '../../test/fixtures/test-app';
import { HEALTH_PATHS } from './health';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

describe('health checks', () => {
  it.each(HEALTH_PATHS)(
    '%s answers 200 ok with a message, whatever credential comes with it',
    async (path) => {
      for (const authorization of [
        undefined,
        fmetoken('0123456789abcdef0123456789abcdef01234567'),
        basic('nobody', 'nothing'),
        'Bearer something else',
      ]) {
        const res = await t.app.request(`${path}?ready=true`, {
          headers: authorization === undefined ? {} : { Authorization: authorization },
        });
        expect(res.status).toBe(200);
        const health = v.parse(HealthSchema, await res.json());
        expect(health.status).toBe('ok');
        expect(health.message.length).toBeGreaterThan(0);
      }
    },
  );

  it.each(HEALTH_PATHS)('%s answers 503 once the store does not answer', async (path) => {
    await t.store.close();
    const res = await t.app.request(path);
    expect(res.status).toBe(503);
    expect(v.parse(HealthSchema, await res.json()).status).toBe('unavailable');
  });
});
