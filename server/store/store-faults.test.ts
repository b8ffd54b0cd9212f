// Store faults through the app (issues 7, 18): a busy or unreachable database answers 503 with Retry-After, never 500.
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
import { asStoreUnavailable } from './store-faults';

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

describe('which driver errors are temporary', () => {
  const driverError = (code: string, message = 'driver error') => Object.assign(new Error(message), { code });

  it.each([
    ['SQLITE_FULL', 30],
    ['SQLITE_IOERR', 5],
    ['SQLITE_IOERR_WRITE', 5],
    ['SQLITE_IOERR_FSYNC', 5],
    ['SQLITE_BUSY_SNAPSHOT', 1],
    ['SQLITE_LOCKED_SHAREDCACHE', 1],
    ['SQLITE_READONLY_DBMOVED', 30],
    ['ECONNREFUSED', 5],
    ['ECONNRESET', 5],
    ['57P01', 5], // terminating connection due to administrator command
    ['08006', 5], // connection failure
    ['53100', 30], // disk full
    ['53300', 5], // too many connections
    ['40001', 1], // serialization failure
  ])('%s is 503, retry after %i s', (code, seconds) => {
    expect(asStoreUnavailable(driverError(code))?.retryAfterSeconds).toBe(seconds);
  });

  it('knows node-postgres lost connections by their message', () => {
    expect(asStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBeDefined();
    expect(asStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBeDefined();
  });

  it.each([
    'SQLITE_CONSTRAINT_UNIQUE',
    'SQLITE_ERROR',
    'SQLITE_CORRUPT',
    '23505',
    '42P01',
    'ERR_INVALID_ARG_TYPE',
  ])('%s is a bug or a refusal, not a fault to retry', (code) => {
    expect(asStoreUnavailable(driverError(code))).toBeUndefined();
  });
});
