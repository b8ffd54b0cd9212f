// MAX_TOKENS_PER_USER over HTTP: one account cannot make its token list unbounded.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../server/auth/password';
import { ensureAdminUser } from '../server/bootstrap';
import { openSqliteStore } from '../server/store/sqlite-store';
import { ErrorBodySchema } from '../shared/schemas/error';
import { startServer } from './fixtures/server-process';
import { ADMIN_PASSWORD, adminBasic, basic, fmetoken, jsonInit } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const UMA = basic('uma', 'uma password');

describe('the token cap', () => {
  it('refuses creates and duplicates past the cap with 409 TOKEN_LIMIT, and counts API tokens only', async () => {
    server = await startTestServer({ app: { maxTokensPerUser: 3 } });
    const { baseUrl } = server;
    await server.app.addUser('uma', 'uma password');
    for (const name of ['one', 'two', 'three']) await createTokenOverHttp(baseUrl, UMA, { name });

    const refused = await fetch(`${baseUrl}/fmerest/v3/tokens`, jsonInit('POST', UMA, { name: 'four' }));
    expect(refused.status).toBe(409);
    expect(v.parse(ErrorBodySchema, await refused.json())).toMatchObject({
      code: 'TOKEN_LIMIT',
      details: { limit: 3 },
    });
    const duplicate = await fetch(
      `${baseUrl}/fmerest/v3/tokens/uma/one/duplicate`,
      jsonInit('POST', UMA, { name: 'one again' }),
    );
    expect(duplicate.status).toBe(409);
    expect(v.parse(ErrorBodySchema, await duplicate.json()).code).toBe('TOKEN_LIMIT');

    // Session tokens are not API tokens: signing in still works, and does not use up the cap.
    const login = await fetch(`${baseUrl}/fmerest/v3/login`, {
      method: 'POST',
      headers: { Authorization: UMA },
    });
    expect(login.status).toBe(201);
    // The cap is per user: another user creates as usual.
    await createTokenOverHttp(baseUrl, adminBasic, { name: 'admin token' });
    // Removing one frees a place.
    expect((await fetch(`${baseUrl}/fmerest/v3/tokens/uma/two`, jsonInit('DELETE', UMA))).status).toBe(204);
    await createTokenOverHttp(baseUrl, UMA, { name: 'four' });
  });

  it('holds under a burst of creates sent at once', async () => {
    server = await startTestServer({ app: { maxTokensPerUser: 5 } });
    const { baseUrl } = server;
    // An unrestricted token, not Basic: a burst of Basic sign-ins would be refused as a crowd (429) first.
    const all = fmetoken(await createTokenOverHttp(baseUrl, adminBasic, { name: 'first' }));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fetch(`${baseUrl}/fmerest/v3/tokens`, jsonInit('POST', all, { name: `burst ${i}` })),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(4);
    expect(statuses.filter((status) => status !== 201).every((status) => status === 409)).toBe(true);
    const list = await fetch(`${baseUrl}/fmerest/v3/tokens?type=USER`, {
      headers: { Authorization: adminBasic },
    });
    expect(((await list.json()) as { totalCount: number }).totalCount).toBe(5);
  });

  it('keeps the full list and /healthz reasonable with the default cap reached (measured)', async () => {
    // A server process of its own, so that reading 16 lists here does not slow the server being measured.
    const dir = mkdtempSync(join(tmpdir(), 'tokenward-token-cap-'));
    const path = join(dir, 'tokenward.sqlite');
    const store = openSqliteStore(path);
    const clock = { now: () => Date.now() };
    await ensureAdminUser({ store, passwords: createPasswordHasher(), clock }, ADMIN_PASSWORD);
    const admin = await store.findUserByName('admin');
    if (!admin) throw new Error('no admin');
    const description = 'd'.repeat(1024);
    // 999 straight into the store (the test is about the list, not about 999 requests), the last over HTTP.
    for (let i = 0; i < 999; i++) {
      await store.createToken({
        userId: admin.id,
        name: `token ${i}`,
        description,
        type: 'USER',
        source: 'api',
        digest: `digest-${i}`,
        enabled: true,
        restricted: false,
        permissions: [],
        createdAt: 0,
        savedAt: 0,
        expiresAt: 4_000_000_000,
      });
    }
    await store.close();
    const running = await startServer({ DATABASE_URL: `sqlite:${path}`, LOG_REQUESTS: 'false' }, dir);
    try {
      const { baseUrl } = running;
      await createTokenOverHttp(baseUrl, adminBasic, { name: 'the 1000th', description });
      const over = await fetch(
        `${baseUrl}/fmerest/v3/tokens`,
        jsonInit('POST', adminBasic, { name: 'one more' }),
      );
      expect(over.status).toBe(409);

      // Listed with a session, as the extension does: the hashing of Basic is not what is measured.
      const login = await fetch(`${baseUrl}/fmerest/v3/login`, {
        method: 'POST',
        headers: { Authorization: adminBasic },
      });
      const { token } = (await login.json()) as { token: string };
      const headers = { Authorization: fmetoken(token) };
      const bytes = (await (await fetch(`${baseUrl}/fmerest/v3/tokens`, { headers })).arrayBuffer())
        .byteLength;

      const healthz = async () => {
        const started = performance.now();
        const res = await fetch(`${baseUrl}/healthz`);
        await res.arrayBuffer();
        return performance.now() - started;
      };
      // The server's resident memory, from /proc (Linux); NaN elsewhere.
      const rssMb = () => {
        const status = existsSync(`/proc/${running.process.pid}/status`)
          ? readFileSync(`/proc/${running.process.pid}/status`, 'utf8')
          : '';
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
      };
      await healthz();
      const idle = await healthz();
      const rssBefore = rssMb();
      const lists = Array.from({ length: 16 }, async () => {
        const res = await fetch(`${baseUrl}/fmerest/v3/tokens?limit=-1`, { headers });
        const reader = res.body?.getReader();
        while (reader && !(await reader.read()).done) {
          // read and dropped
        }
        return res.status;
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const during = await healthz();
      const statuses = await Promise.all(lists);
      const rssAfter = rssMb();
      console.log(
        `cap reached (1000 tokens, 1 KiB descriptions): GET /tokens ${bytes} bytes; ` +
          `/healthz ${idle.toFixed(1)} ms idle, ${during.toFixed(1)} ms during 16 parallel full lists (${statuses.join(',')}); ` +
          `server RSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after`,
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(bytes).toBeLessThan(2 * 1024 * 1024);
      // Generous for a loaded machine: the point is that 16 lists cannot hold the server for seconds.
      expect(during).toBeLessThan(1500);
    } finally {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
