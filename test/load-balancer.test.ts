// docs/deploy/nginx-load-balancer.conf in front of two instances on one PostgreSQL: clients see one server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningNginx, startNginxSite } from './fixtures/nginx';
import { type PostgresCluster, startPostgres } from './fixtures/postgres';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'balanced admin password';
const admin = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
const EXAMPLE = readFileSync(new URL('../docs/deploy/nginx-load-balancer.conf', import.meta.url), 'utf8');

let cluster: PostgresCluster;
let dir: string;
let instances: RunningServer[];
let nginx: RunningNginx;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase('balanced');
  dir = mkdtempSync(join(tmpdir(), 'tokenward-lb-'));
  const env = { DATABASE_URL: url, ADMIN_PASSWORD, TRUSTED_PROXIES: 'loopback', LOG_REQUESTS: 'true' };
  instances = await Promise.all([startServer(env, dir), startServer(env, dir)]);
  const servers = instances.map((instance) => `server ${new URL(instance.baseUrl).host};`).join('\n    ');
  nginx = await startNginxSite({
    config: (listen) => EXAMPLE.replaceAll('__INSTANCES__', servers).replaceAll('__LISTEN__', listen),
  });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  for (const instance of instances ?? []) await instance.stop('SIGKILL');
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const infoRequests = (instance: RunningServer) =>
  instance.output().match(/"path":"\/fmerest\/v3\/info"/g)?.length ?? 0;

describe('instances behind the nginx example', () => {
  it('serve one token from either instance, and keep serving when one dies', async () => {
    const created = await fetch(`${nginx.baseUrl}/fmerest/v3/tokens`, {
      method: 'POST',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'through the balancer' }),
    });
    expect(created.status).toBe(201);
    const body: unknown = await created.json();
    const token = typeof body === 'object' && body !== null && 'token' in body ? String(body.token) : '';
    const get = () =>
      fetch(`${nginx.baseUrl}/fmerest/v3/info`, { headers: { Authorization: `fmetoken token=${token}` } });

    for (let i = 0; i < 20; i++) expect((await get()).status).toBe(200);
    // Each instance logs a request after answering it: wait until all 20 lines are printed, then count.
    const logged = () => instances.reduce((sum, instance) => sum + infoRequests(instance), 0);
    while (logged() < 20) await Promise.race(instances.map((instance) => instance.nextOutput()));
    // Round robin: both instances answered some of them.
    for (const instance of instances) expect(infoRequests(instance)).toBeGreaterThan(0);

    await instances[0]?.stop('SIGKILL');
    for (let i = 0; i < 10; i++) expect((await get()).status).toBe(200);
  });

  it('count failed sign-ins per real client, as X-Forwarded-For from the trusted proxy says', async () => {
    const wrong = `Basic ${Buffer.from('admin:not the password').toString('base64')}`;
    const from = (client: string, authorization: string) =>
      fetch(`${nginx.baseUrl}/fmerest/v3/info`, {
        headers: { Authorization: authorization, 'X-Forwarded-For': client },
      });
    for (let i = 0; i < 6; i++) expect((await from('203.0.113.50', wrong)).status).toBe(401);
    expect((await from('203.0.113.50', admin)).status).toBe(429);
    // Another client, through the same nginx, is not slowed down.
    expect((await from('198.51.100.60', admin)).status).toBe(200);
  });
});
