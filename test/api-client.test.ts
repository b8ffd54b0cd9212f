// The shared API client against the real server on a loopback port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, HostAccessRemovedError } from '../shared/api-client';
import { isWellFormedTokenValue } from '../shared/token-format';
import { ADMIN_PASSWORD } from './fixtures/test-app';
import { startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
let baseUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  // A trailing slash, as a user might paste it: the client must not double it.
  baseUrl = `${server.baseUrl}/`;
});
afterAll(() => server.stop());

describe('shared API client against a real server', () => {
  it('reads the public version and health', async () => {
    const client = createApiClient({ baseUrl });
    expect(await client.version()).toMatchObject({ ok: true, value: { buildNumber: 21807 } });
    expect(await client.health()).toMatchObject({
      ok: true,
      value: { status: 'ok', message: expect.any(String) },
    });
  });

  it('walks the token list page by page with the next cursor, over a real socket', async () => {
    const admin = createApiClient({
      baseUrl,
      credential: { kind: 'basic', user: 'admin', password: ADMIN_PASSWORD },
    });
    for (let i = 0; i < 5; i++) expect((await admin.createToken({ name: `page ${i}` })).ok).toBe(true);
    const all = await admin.listTokens({ type: 'USER' });
    if (!all.ok) throw new Error(all.error.message);
    const names: string[] = [];
    let after: string | undefined;
    do {
      const page = await admin.listTokens({ type: 'USER', limit: 2, ...(after && { after }) });
      if (!page.ok) throw new Error(page.error.message);
      names.push(...page.value.items.map((t) => t.name));
      expect(page.value.totalCount).toBe(all.value.totalCount);
      after = page.value.next ?? undefined;
    } while (after);
    expect(names).toEqual(all.value.items.map((t) => t.name));
    for (let i = 0; i < 5; i++) expect((await admin.deleteToken('admin', `page ${i}`)).ok).toBe(true);
  });

  it('manages a token through its whole life: create, use, list, get, update, duplicate, delete', async () => {
    const admin = createApiClient({
      baseUrl,
      credential: { kind: 'basic', user: 'admin', password: ADMIN_PASSWORD },
    });
    const created = await admin.createToken({ name: 'client token', description: 'from the client' });
    if (!created.ok) throw new Error(created.error.message);
    expect(isWellFormedTokenValue(created.value.token)).toBe(true);

    const withToken = createApiClient({ baseUrl, credential: { kind: 'token', value: created.value.token } });
    expect((await withToken.info()).ok).toBe(true);

    const listed = await withToken.listTokens({ limit: 10, offset: 0, type: 'USER' });
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.items.map((i) => [i.name, i.current])).toEqual([['client token', true]]);

    expect(await admin.getToken('admin', 'client token')).toMatchObject({
      ok: true,
      value: { description: 'from the client' },
    });
    expect(await admin.updateToken('admin', 'client token', { description: 'changed' })).toEqual({
      ok: true,
      value: undefined,
    });
    const copy = await admin.duplicateToken('admin', 'client token', { name: 'client copy' });
    expect(copy).toMatchObject({ ok: true, value: { name: 'client copy', description: 'changed' } });

    expect(await admin.deleteToken('admin', 'client token')).toEqual({ ok: true, value: undefined });
    expect(await withToken.info()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
  });

  it('turns error answers into Results with code, status and details', async () => {
    const admin = createApiClient({
      baseUrl,
      credential: { kind: 'basic', user: 'admin', password: ADMIN_PASSWORD },
    });
    await admin.createToken({ name: 'taken' });
    expect(await admin.createToken({ name: 'taken' })).toMatchObject({
      ok: false,
      error: { code: 'NAME_TAKEN', status: 409 },
    });
    const invalid = await admin.createToken({ name: 'x', expirationTimeout: -5 });
    expect(invalid).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        status: 422,
        details: { fields: { expirationTimeout: expect.any(String) } },
      },
    });
    expect(await admin.getToken('admin', 'missing')).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_NOT_FOUND' },
    });
  });

  it('reports a server the browser no longer lets the caller reach as HOST_ACCESS_REMOVED, not NETWORK', async () => {
    const client = createApiClient({
      baseUrl: 'http://127.0.0.1:9',
      fetch: async () => {
        throw new HostAccessRemovedError('http://127.0.0.1:9');
      },
    });
    expect(await client.version()).toMatchObject({
      ok: false,
      error: {
        code: 'HOST_ACCESS_REMOVED',
        status: 0,
        message: 'Access to http://127.0.0.1:9 was removed in the browser.',
      },
    });
  });

  it('reports an unreachable server as NETWORK and a foreign one as BAD_RESPONSE', async () => {
    const closed = createApiClient({ baseUrl: 'http://127.0.0.1:9' });
    expect(await closed.version()).toMatchObject({ ok: false, error: { code: 'NETWORK', status: 0 } });
    const foreign = createApiClient({
      baseUrl,
      fetch: async () => new Response('<html>not tokenward</html>', { status: 200 }),
    });
    expect(await foreign.version()).toMatchObject({ ok: false, error: { code: 'BAD_RESPONSE' } });
  });

  it('never puts a token value into a URL', async () => {
    const urls: string[] = [];
    const value = '0123456789abcdef0123456789abcdef01234567';
    const client = createApiClient({
      baseUrl,
      credential: { kind: 'token', value },
      fetch: async (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    await client.listTokens({ limit: 1 });
    await client.getToken('admin', 'x');
    expect(urls.length).toBe(2);
    for (const url of urls) expect(url).not.toContain(value);
  });
});
