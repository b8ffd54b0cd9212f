// The audit trail: every token event, who did it, failed uses throttled, readable by owner and admins.
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditListSchema } from '../../shared/schemas/audit';
import { CreatedTokenSchema } from '../../shared/schemas/token';
import {
  ADMIN_PASSWORD,
  adminBasic,
  basic,
  createTestApp,
  fmetoken,
  jsonInit,
} from '../../test/fixtures/test-app';

let t: Awaited<ReturnType<typeof createTestApp>>;
const UMA = basic('uma', 'uma password');

beforeEach(async () => {
  t = await createTestApp({ app: { trustedProxies: ['unknown'] } });
  await t.addUser('uma', 'uma password', ['fmeuser']);
});

/** Events are written off the request path; one turn of the event loop later they are stored. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

async function audit(authorization: string, query = '') {
  await settled();
  const res = await t.app.request(`/fmerest/v3/security/audit${query}`, {
    headers: { Authorization: authorization },
  });
  expect(res.status).toBe(200);
  return v.parse(AuditListSchema, await res.json());
}
const path = (user: string, name: string) => `/fmerest/v3/tokens/${user}/${encodeURIComponent(name)}`;

describe('audit trail', () => {
  it('records the life of a token, newest first, with actor and client', async () => {
    const headers = { 'X-Forwarded-For': '198.51.100.20' };
    const created = await t.app.request('/fmerest/v3/tokens', {
      method: 'POST',
      headers: { ...headers, Authorization: UMA, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'deploy' }),
    });
    expect(created.status).toBe(201);
    await t.app.request(path('uma', 'deploy'), jsonInit('PUT', UMA, { enabled: false }));
    await t.app.request(path('uma', 'deploy'), jsonInit('PUT', UMA, { enabled: true, description: 'ci' }));
    await t.app.request(`${path('uma', 'deploy')}/duplicate`, jsonInit('POST', UMA, { name: 'deploy 2' }));
    await t.app.request(path('uma', 'deploy'), jsonInit('DELETE', UMA));

    const { items, totalCount } = await audit(UMA);
    expect(totalCount).toBe(6);
    expect(items.map((e) => [e.event, e.token, e.reason])).toEqual([
      ['removed', 'deploy', null],
      ['duplicated', 'deploy 2', 'from deploy'],
      ['updated', 'deploy', 'description'],
      ['enabled', 'deploy', null],
      ['disabled', 'deploy', null],
      ['created', 'deploy', null],
    ]);
    expect(items.at(-1)).toEqual({
      time: '2026-11-22T10:00:00Z',
      event: 'created',
      user: 'uma',
      token: 'deploy',
      tokenType: 'USER',
      actor: 'uma',
      client: '198.51.100.20',
      reason: null,
    });
    expect((await audit(UMA, '?token=deploy%202')).items.map((e) => e.event)).toEqual(['duplicated']);
  });

  it("names the administrator who acted on another user's token", async () => {
    await t.app.request('/fmerest/v3/tokens', jsonInit('POST', UMA, { name: 'watched' }));
    await t.app.request(path('uma', 'watched'), jsonInit('PUT', adminBasic, { enabled: false }));
    await t.app.request(path('uma', 'watched'), jsonInit('DELETE', adminBasic));
    const { items } = await audit(UMA);
    expect(items.map((e) => [e.event, e.actor])).toEqual([
      ['removed', 'admin'],
      ['disabled', 'admin'],
      ['created', 'uma'],
    ]);
  });

  it('records failed and expired uses with their reason, at most once a minute per token', async () => {
    const disabled = v.parse(
      CreatedTokenSchema,
      await (
        await t.app.request('/fmerest/v3/tokens', jsonInit('POST', UMA, { name: 'off', enabled: false }))
      ).json(),
    );
    const expiring = v.parse(
      CreatedTokenSchema,
      await (
        await t.app.request(
          '/fmerest/v3/tokens',
          jsonInit('POST', UMA, { name: 'short', expirationTimeout: 60 }),
        )
      ).json(),
    );
    t.clock.advance(60);
    for (let i = 0; i < 20; i++) {
      await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(disabled.token) } });
      await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(expiring.token) } });
    }
    let failures = (await audit(UMA)).items.filter(
      (e) => e.event === 'failed_use' || e.event === 'expired_use',
    );
    expect(failures.map((e) => [e.event, e.token, e.reason, e.actor])).toEqual([
      ['expired_use', 'short', null, null],
      ['failed_use', 'off', 'disabled', null],
    ]);
    t.clock.advance(60);
    await t.app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(disabled.token) } });
    failures = (await audit(UMA)).items.filter((e) => e.event === 'failed_use');
    expect(failures).toHaveLength(2);
  });

  it('records sign-in and sign-out of session tokens', async () => {
    const res = await t.app.request('/fmerest/v3/login', { method: 'POST', headers: { Authorization: UMA } });
    const { token, name } = v.parse(v.object({ token: v.string(), name: v.string() }), await res.json());
    await t.app.request('/fmerest/v3/logout', {
      method: 'POST',
      headers: { Authorization: fmetoken(token) },
    });
    expect((await audit(UMA)).items.map((e) => [e.event, e.token, e.tokenType])).toEqual([
      ['removed', name, 'SESSION'],
      ['created', name, 'SESSION'],
    ]);
  });

  it("shows other users' events only to administrators", async () => {
    await t.app.request('/fmerest/v3/tokens', jsonInit('POST', UMA, { name: 'mine' }));
    await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, { name: 'admin token' }));
    expect((await audit(UMA)).items.map((e) => e.token)).toEqual(['mine']);
    const refused = await t.app.request('/fmerest/v3/security/audit?user=admin', {
      headers: { Authorization: UMA },
    });
    expect(refused.status).toBe(403);
    expect((await audit(adminBasic, '?user=uma')).items.map((e) => e.token)).toEqual(['mine']);
    expect((await audit(adminBasic, '?user=*')).items.map((e) => e.token)).toEqual(['admin token', 'mine']);
    expect((await audit(basic('admin', ADMIN_PASSWORD), '?user=*&limit=1')).items).toHaveLength(1);
  });
});
