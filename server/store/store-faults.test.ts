// Store faults through the app (issue 7): a busy database answers 503 with Retry-After and writes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { TokenListSchema } from '../../shared/schemas/token';
import { adminBasic, createTestApp, jsonInit } from '../../test/fixtures/test-app';
import { openSqliteStore } from './sqlite-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-faults-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a busy database', () => {
  it('answers 503 with Retry-After, keeps nothing of the refused write, and recovers', async () => {
    const path = join(dir, 'tokenward.sqlite');
    const t = await createTestApp({ store: openSqliteStore(path, { busyTimeoutMs: 50 }) });
    // Another connection (a backup tool, a second process) holds the write lock.
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      const refused = await t.app.request(
        '/fmerest/v3/tokens',
        jsonInit('POST', adminBasic, { name: 'during lock' }),
      );
      expect(refused.status).toBe(503);
      expect(refused.headers.get('Retry-After')).toBe('1');
      expect(v.parse(ErrorBodySchema, await refused.json()).code).toBe('STORE_UNAVAILABLE');
      // Reads still work while the writer waits.
      expect(
        (await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: adminBasic } })).status,
      ).toBe(200);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    const list = v.parse(
      TokenListSchema,
      await (await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: adminBasic } })).json(),
    );
    expect(list.totalCount).toBe(0);
    const retried = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, { name: 'during lock' }),
    );
    expect(retried.status).toBe(201);
  });
});
