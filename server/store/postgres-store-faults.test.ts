// A PostgreSQL store whose server stops answering, through the app: 503 with Retry-After, never 500, and
// recovery without a restart once the database answers again.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { TokenListSchema } from '../../shared/schemas/token';
import { startPostgres } from '../../test/fixtures/postgres';
import { adminBasic, createTestApp, jsonInit } from '../../test/fixtures/test-app';
import { openPostgresStore } from './postgres-store';

describe('PostgreSQL down', () => {
  it('answers 503 with Retry-After to every write and read while it is down, and recovers by itself', async () => {
    const cluster = await startPostgres();
    try {
      const t = await createTestApp({
        store: await openPostgresStore(await cluster.createDatabase('outage')),
      });
      const token = (name: string) =>
        t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, { name }));
      expect((await token('before')).status).toBe(201);
      const session = await t.app.request('/fmerest/v3/login', {
        method: 'POST',
        headers: { Authorization: adminBasic },
      });
      const { token: sessionValue } = v.parse(v.object({ token: v.string() }), await session.json());

      cluster.pause();
      const answers = [
        await token('during'),
        await t.app.request(
          '/fmerest/v3/tokens/admin/before',
          jsonInit('PUT', adminBasic, { enabled: false }),
        ),
        await t.app.request(
          '/fmerest/v3/tokens/admin/before',
          jsonInit('DELETE', `fmetoken token=${sessionValue}`),
        ),
        await t.app.request('/fmerest/v3/login', { method: 'POST', headers: { Authorization: adminBasic } }),
        await t.app.request('/fmerest/v3/repositories', jsonInit('POST', adminBasic, { name: 'during' })),
        await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: adminBasic } }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(Number(answer.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
        expect(v.parse(ErrorBodySchema, await answer.json()).code).toBe('STORE_UNAVAILABLE');
      }
      expect(t.log.lines.filter((line) => line.message === 'unhandled error')).toEqual([]);

      cluster.resume();
      expect((await token('after')).status).toBe(201);
      const list = v.parse(
        TokenListSchema,
        await (await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: adminBasic } })).json(),
      );
      expect(list.items.map((item) => [item.name, item.enabled])).toEqual(
        expect.arrayContaining([
          ['before', true],
          ['after', true],
        ]),
      );
      expect(list.items.map((item) => item.name)).not.toContain('during');
      await t.store.close();
    } finally {
      cluster.stop();
    }
  }, 60_000);
});
