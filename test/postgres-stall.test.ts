// Waits on PostgreSQL are bounded: with the database stalled (every process stopped) or a table locked, a request
// that needs it is answered 503 with Retry-After within the configured timeouts, never left hanging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { CreatedTokenSchema } from '../shared/schemas/token';
import { createTokenValue } from '../shared/token-format';
import { basic, fmetoken, until } from './fixtures/instance-http';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'stall test admin password';
/** The timeouts the server is given, in seconds: short, so that the test is. */
const STATEMENT_TIMEOUT = 1;
const CONNECT_TIMEOUT = 1;
/** What a request may take at most: a statement's timeout and its margin, with room for a loaded machine. */
const BOUND_MS = 3000;

let cluster: PostgresCluster;
let url: string;
let dir: string;
let server: RunningServer;
let admin: string;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('stall');
  dir = mkdtempSync(join(tmpdir(), 'tokenward-stall-'));
  server = await startServer(
    {
      DATABASE_URL: url,
      ADMIN_PASSWORD,
      LOG_REQUESTS: 'false',
      DATABASE_STATEMENT_TIMEOUT_SECONDS: String(STATEMENT_TIMEOUT),
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT),
    },
    dir,
  );
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens`, {
    method: 'POST',
    headers: { Authorization: basic('admin', ADMIN_PASSWORD), 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'stall' }),
  });
  admin = fmetoken(v.parse(CreatedTokenSchema, await res.json()).token);
}, 60_000);
afterAll(async () => {
  cluster?.thaw();
  await server?.stop('SIGKILL');
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A request timed from the test's side; a hang shows as an abort after twice the bound. */
async function timed(path: string, init: RequestInit = {}) {
  const started = performance.now();
  const res = await fetch(`${server.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(2 * BOUND_MS) });
  const body: unknown = await res.json();
  return {
    status: res.status,
    body,
    retryAfter: res.headers.get('Retry-After'),
    ms: performance.now() - started,
  };
}

/** A token value nobody holds: well-formed, so only the store can say it is unknown. */
const uncached = () =>
  timed('/fmerest/v3/info', { headers: { Authorization: fmetoken(createTokenValue()) } });
const createToken = (name: string) =>
  timed('/fmerest/v3/tokens', {
    method: 'POST',
    headers: { Authorization: admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });

function expectUnavailableInTime(answer: Awaited<ReturnType<typeof timed>>, what: string): void {
  expect(answer.status, what).toBe(503);
  expect(v.parse(ErrorBodySchema, answer.body).code).toBe('STORE_UNAVAILABLE');
  expect(answer.retryAfter, what).toMatch(/^[1-9]\d*$/);
  expect(answer.ms, what).toBeLessThan(BOUND_MS);
}

describe('a stalled PostgreSQL', () => {
  it('answers an uncached token, a write and a crowd 503 with Retry-After within the bound, and recovers', async () => {
    expect((await uncached()).status).toBe(401);
    expect((await createToken('before')).status).toBe(201);
    cluster.freeze();
    try {
      expectUnavailableInTime(await uncached(), 'an uncached token');
      expectUnavailableInTime(await createToken('while stalled'), 'a create');
      // More requests than the pool has connections: the ones that wait for a connection are bounded too.
      const crowd = await Promise.all(Array.from({ length: 16 }, uncached));
      for (const [i, answer] of crowd.entries()) expectUnavailableInTime(answer, `request ${i} of the crowd`);
    } finally {
      cluster.thaw();
    }
    await until(
      'the server answers again',
      async () => (await createToken(`after ${Date.now()}`)).status === 201,
    );
    expect((await uncached()).status).toBe(401);
  }, 30_000);
});

describe('a lock held by another session', () => {
  it('answers 503 with Retry-After once the statement timeout passes, and serves again when it is released', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE');
      const answer = await uncached();
      expectUnavailableInTime(answer, 'an uncached token behind the lock');
      expect(answer.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT * 1000 * 0.9);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect((await uncached()).status).toBe(401);
  });
});
