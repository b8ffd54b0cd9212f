// Moving a populated SQLite store to PostgreSQL with `npm run store:copy` keeps every token working.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../server/store/sqlite-store';
import { AuditListSchema } from '../shared/schemas/audit';
import { CreatedTokenSchema, TokenListSchema } from '../shared/schemas/token';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer, typeScriptCommand } from './fixtures/server-process';
import { ADMIN_PASSWORD, adminBasic, basic, createTestApp, fmetoken, jsonInit } from './fixtures/test-app';

const run = promisify(execFile);
const FIVE_YEARS = 5 * 365 * 86400;
let cluster: PostgresCluster;
let dir: string;
let server: RunningServer | undefined;

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'tokenward-copy-'));
}, 60_000);
afterAll(async () => {
  await server?.stop('SIGKILL');
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function copy(from: string, to: string) {
  const [node, ...args] = typeScriptCommand('server/cli/copy-store.ts');
  return run(node, [...args, '--from', from, '--to', to], { cwd: dir });
}

describe('store:copy from SQLite to PostgreSQL', () => {
  it('keeps users, every token (working, disabled, expired), repositories, items and the audit trail', async () => {
    const sqlitePath = join(dir, 'tokenward.sqlite');
    const source = await createTestApp({ store: openSqliteStore(sqlitePath) });
    const { app } = source;
    await source.addUser('otto', 'otto password', ['fmeauthor']);
    const create = async (authorization: string, body: Record<string, unknown>) =>
      v.parse(
        CreatedTokenSchema,
        await (await app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body))).json(),
      ).token;
    const working = await create(adminBasic, { name: 'working', expirationTimeout: FIVE_YEARS });
    const restricted = await create(basic('otto', 'otto password'), {
      name: 'reader',
      restricted: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
      expirationTimeout: FIVE_YEARS,
    });
    const disabled = await create(adminBasic, {
      name: 'disabled',
      enabled: false,
      expirationTimeout: FIVE_YEARS,
    });
    const expired = await create(adminBasic, { name: 'expired', expirationTimeout: 1 });
    // Reported as leaked: disabled and marked exposed, which must survive the move.
    const leaked = await create(adminBasic, { name: 'leaked', expirationTimeout: FIVE_YEARS });
    const reported = await app.request('/fmerest/v3/tokens/revoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tokens: [leaked] }),
    });
    expect(reported.status).toBeLessThan(300);
    // Used from two places before the move: both stay known (a later use from either is no new address).
    const usedFrom = (await source.store.listTokens({ now: 0, limit: -1, offset: 0 })).items.find(
      (token) => token.name === 'working',
    );
    await source.store.markTokensUsed([
      { id: usedFrom?.id ?? 0, at: 1_000, address: '203.0.113.7', userAgent: 'curl/8.5.0' },
      { id: usedFrom?.id ?? 0, at: 2_000, address: '2001:db8:1:2:aaaa::1', userAgent: 'curl/8.5.0' },
    ]);
    await app.request('/fmerest/v3/info', { headers: { Authorization: fmetoken(working) } });
    await app.request(
      '/fmerest/v3/repositories',
      jsonInit('POST', basic('otto', 'otto password'), { name: 'Work' }),
    );
    await app.request('/fmerest/v3/repositories/Work/items', {
      method: 'POST',
      headers: {
        Authorization: basic('otto', 'otto password'),
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': 'attachment; filename="job.fmw"',
      },
      body: 'workspace bytes',
    });
    await new Promise((done) => setImmediate(done));
    const before = v.parse(
      TokenListSchema,
      await (
        await app.request('/fmerest/v3/tokens?user=*', { headers: { Authorization: adminBasic } })
      ).json(),
    );
    const auditBefore = v.parse(
      AuditListSchema,
      await (
        await app.request('/fmerest/v3/security/audit?user=*&limit=-1', {
          headers: { Authorization: adminBasic },
        })
      ).json(),
    );
    await source.store.close();

    const target = await cluster.createDatabase('copied');
    const { stdout } = await copy(`sqlite:${sqlitePath}`, target);
    expect(stdout).toMatch(
      /Copied SQLite .* to PostgreSQL .*: 2 users, 5 tokens, 2 repositories, 2 items, \d+ audit events\./,
    );

    server = await startServer({ DATABASE_URL: target }, dir);
    const base = server.baseUrl;
    const status = async (authorization: string, path = '/fmerest/v3/info') =>
      (await fetch(`${base}${path}`, { headers: { Authorization: authorization } })).status;

    // Compared before any token is used here, which would move its lastUsedDate.
    const after = v.parse(
      TokenListSchema,
      await (
        await fetch(`${base}/fmerest/v3/tokens?user=*`, { headers: { Authorization: adminBasic } })
      ).json(),
    );
    const comparable = (list: typeof before) =>
      list.items.map(({ lastUsedDate, current, expired, ...rest }) => rest);
    expect(comparable(after)).toEqual(comparable(before));
    expect(after.items.find((t) => t.name === 'leaked')).toMatchObject({ enabled: false, exposed: true });
    const db = new pg.Client({ connectionString: target });
    await db.connect();
    try {
      const known = await db.query<{ address: string; first_used_at: string }>(
        `SELECT a.address, a.first_used_at FROM token_addresses a JOIN tokens t ON t.id = a.token_id
         WHERE t.name = 'working' ORDER BY a.first_used_at`,
      );
      expect(known.rows.map((row) => [row.address, Number(row.first_used_at)])).toEqual([
        ['203.0.113.7', 1_000],
        ['2001:db8:1:2::/64', 2_000],
      ]);
    } finally {
      await db.end();
    }
    expect(after.items.find((t) => t.name === 'working')?.lastUsedDate).toBe(
      before.items.find((t) => t.name === 'working')?.lastUsedDate,
    );

    expect(await status(fmetoken(working))).toBe(200);
    expect(await status(fmetoken(restricted), '/fmerest/v3/repositories/Samples')).toBe(200);
    // Still not readable with that token: answered as missing (404), as FME does.
    expect(await status(fmetoken(restricted), '/fmerest/v3/repositories/Work')).toBe(404);
    expect(await status(fmetoken(disabled))).toBe(401);
    expect(await status(fmetoken(expired))).toBe(401);
    expect(await status(basic('otto', 'otto password'))).toBe(200);
    expect(await status(basic('admin', ADMIN_PASSWORD))).toBe(200);

    const bytes = await fetch(`${base}/fmerest/v3/repositories/Work/items/job.fmw?accept=contents`, {
      headers: { Authorization: basic('otto', 'otto password') },
    });
    expect(await bytes.text()).toBe('workspace bytes');
    const auditAfter = v.parse(
      AuditListSchema,
      await (
        await fetch(`${base}/fmerest/v3/security/audit?user=*&limit=-1`, {
          headers: { Authorization: adminBasic },
        })
      ).json(),
    );
    expect(auditAfter.items.slice(-auditBefore.items.length)).toEqual(auditBefore.items);
  });

  it('refuses to copy into a store that is not empty', async () => {
    const target = await cluster.createDatabase('not_empty');
    const seeded = await startServer({ DATABASE_URL: target }, dir);
    await seeded.stop();
    const sqlitePath = join(dir, 'other.sqlite');
    openSqliteStore(sqlitePath).close();
    await expect(copy(`sqlite:${sqlitePath}`, target)).rejects.toMatchObject({
      stderr: expect.stringContaining('already has users'),
    });
  });
});
