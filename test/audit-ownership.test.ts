// The audit trail over HTTP: it belongs to the account, not its name (a new account under an old name sees
// nothing of the old one), and shows tokens that travelled in a URL.
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../server/store/sqlite-store';
import { type AuditList, AuditListSchema } from '../shared/schemas/audit';
import { type WatchedStore, watchOffPathWrites } from './fixtures/off-path-writes';
import { adminBasic, basic, fmetoken, jsonInit } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
let writes: WatchedStore;
beforeEach(async () => {
  writes = watchOffPathWrites(openSqliteStore(':memory:'));
  server = await startTestServer({ store: writes.store });
});
afterEach(() => server.stop());

const UMA = basic('uma', 'uma password');

async function audit(authorization: string, query = ''): Promise<AuditList> {
  // Uses are written off the request path, after the answer.
  await writes.settled();
  const res = await fetch(`${server.baseUrl}/fmerest/v3/security/audit${query}`, {
    headers: { Authorization: authorization },
  });
  expect(res.status).toBe(200);
  return v.parse(AuditListSchema, await res.json());
}

const accounts = (method: string, path: string, body?: unknown) =>
  fetch(`${server.baseUrl}/fmerest/v3/security/accounts${path}`, jsonInit(method, adminBasic, body));

describe('audit trail ownership', () => {
  it("shows a new account under a deleted account's name nothing of the old one", async () => {
    expect((await accounts('POST', '', { name: 'uma', password: 'uma password' })).status).toBe(201);
    await createTokenOverHttp(server.baseUrl, UMA, { name: 'old deploy' });
    expect((await audit(UMA)).items.map((e) => e.token)).toEqual(['old deploy']);

    expect((await accounts('DELETE', '/uma')).status).toBe(204);
    expect((await accounts('POST', '', { name: 'uma', password: 'uma password' })).status).toBe(201);
    expect(await audit(UMA)).toMatchObject({ items: [], totalCount: 0 });
    expect((await audit(adminBasic, '?user=uma')).items).toEqual([]);

    await createTokenOverHttp(server.baseUrl, UMA, { name: 'new deploy' });
    expect((await audit(UMA)).items.map((e) => e.token)).toEqual(['new deploy']);
    // The old account's events are still there for administrators, under the name it had.
    const everyone = await audit(adminBasic, '?user=*');
    expect(everyone.items.map((e) => [e.user, e.token])).toEqual([
      ['uma', 'new deploy'],
      ['uma', 'old deploy'],
    ]);
  });
});

describe('a token sent in the URL', () => {
  it('is recorded as a query-string use, at most once a minute, and a header use is not', async () => {
    await server.app.addUser('uma', 'uma password');
    const value = await createTokenOverHttp(server.baseUrl, UMA, { name: 'in a url' });

    const viaQuery = await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get('Cache-Control')).toBe('no-store');
    await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`);
    const viaHeader = await fetch(`${server.baseUrl}/fmerest/v3/info`, {
      headers: { Authorization: fmetoken(value) },
    });
    expect(viaHeader.status).toBe(200);

    const uses = (await audit(UMA)).items.filter((e) => e.event === 'query_string_use');
    expect(uses).toEqual([
      {
        time: '2026-11-22T10:00:00Z',
        event: 'query_string_use',
        user: 'uma',
        token: 'in a url',
        tokenType: 'USER',
        actor: null,
        client: '127.0.0.1',
        reason: null,
      },
    ]);

    server.app.clock.advance(60);
    await fetch(`${server.baseUrl}/fmerest/v3/info?fmetoken=${value}`);
    expect((await audit(UMA)).items.filter((e) => e.event === 'query_string_use')).toHaveLength(2);
  });
});
