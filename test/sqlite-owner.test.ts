// One process owns a SQLite file: a second server on it refuses to start; kill -9 frees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failToStart, type RunningServer, startServer } from './fixtures/server-process';

let dir: string;
const running: RunningServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-owner-'));
});
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const env = { ADMIN_PASSWORD: 'owner test password', LOG_REQUESTS: 'false' };
const admin = `Basic ${Buffer.from('admin:owner test password').toString('base64')}`;

describe('the owner of a SQLite file', () => {
  it('is alone: a second server on the same file says so and exits non-zero', async () => {
    const first = await startServer(env, dir);
    running.push(first);
    const second = await failToStart(env, dir);
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/tokenward cannot start/);
    expect(second.output).toMatch(/is in use by another tokenward process/);
    expect(second.output).toMatch(/PostgreSQL/);
    // The same file by another path (absolute here, relative for the first) is the same file.
    const third = await failToStart(
      { ...env, DATABASE_URL: `sqlite:${join(dir, 'data/tokenward.sqlite')}` },
      dir,
    );
    expect(third.code).toBe(1);
    // The first one is untouched and serves on.
    expect(
      (await fetch(`${first.baseUrl}/fmerest/v3/tokens`, { headers: { Authorization: admin } })).status,
    ).toBe(200);
    // Others may still read the file, as an online backup does.
    const reader = new Database(join(dir, 'data/tokenward.sqlite'), { readonly: true });
    expect(reader.prepare('SELECT name FROM users').pluck().all()).toEqual(['admin']);
    reader.close();
  });

  it('is free again once the owner is killed with kill -9, and after a clean stop', async () => {
    const first = await startServer(env, dir);
    expect(await first.stop('SIGKILL')).toBeNull();
    const second = await startServer(env, dir);
    running.push(second);
    expect((await fetch(`${second.baseUrl}/healthz`)).status).toBe(200);
    await second.stop('SIGTERM');
    running.push(await startServer(env, dir));
  });
});
