// A full flow against the real server process with request logging on: no token value or password in its output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenServiceResponseSchema } from '../shared/schemas/session';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'admin secret password 1';
const USER_PASSWORD = 'user secret password 2';
const NEW_PASSWORD = 'user secret password 3';
const WRONG_PASSWORD = 'wrong secret password 4';

let dir: string;
let server: RunningServer;
const secrets: string[] = [ADMIN_PASSWORD, USER_PASSWORD, NEW_PASSWORD, WRONG_PASSWORD];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-logs-'));
  server = await startServer({ ADMIN_PASSWORD, LOG_REQUESTS: 'true' }, dir);
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, init);
}
async function json(path: string, init: RequestInit): Promise<Record<string, unknown>> {
  const res = await call(path, init);
  expect(res.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null) throw new Error('not an object');
  return Object.fromEntries(Object.entries(body));
}
function keep(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error('expected a secret string');
  secrets.push(value);
  return value;
}

describe('logs', () => {
  it('never contain a token value, a password, an Authorization header or a fmetoken query value', async () => {
    const admin = basic('admin', ADMIN_PASSWORD);
    const post = (body: unknown, authorization?: string): RequestInit => ({
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: JSON.stringify(body),
    });

    await json('/fmerest/v3/security/accounts', post({ name: 'uma', password: USER_PASSWORD }, admin));
    const session = keep(
      (await json('/fmerest/v3/login', post({ user: 'uma', password: USER_PASSWORD }))).token,
    );
    keep(
      (await json('/fmerest/v3/login?kind=apidoc', { method: 'POST', headers: { Authorization: admin } }))
        .token,
    );
    expect((await call('/fmerest/v3/login', post({ user: 'uma', password: WRONG_PASSWORD }))).status).toBe(
      401,
    );
    const service = await call(
      `/fmetoken/generate?user=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}&expiration=1&timeunit=hour`,
    );
    keep(await service.text());
    const form = await call('/fmetoken/service/generate.json', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `user=uma&password=${encodeURIComponent(USER_PASSWORD)}`,
    });
    keep(v.parse(TokenServiceResponseSchema, await form.json()).serviceResponse.token);

    const api = keep((await json('/fmerest/v3/tokens', post({ name: 'script' }, admin))).token);
    expect(
      (await call('/fmerest/v3/info', { headers: { Authorization: `fmetoken token=${api}` } })).status,
    ).toBe(200);
    expect((await call(`/fmerest/v3/info?fmetoken=${api}`)).status).toBe(200);
    expect(
      (
        await call('/auth/verify?permission=repositories:access', {
          headers: { 'X-Original-URI': `/api/?fmetoken=${api}` },
        })
      ).status,
    ).toBe(204);
    keep(
      (
        await json(
          '/fmerest/v3/tokens/admin/script/duplicate',
          post({ name: 'copy' }, `fmetoken token=${api}`),
        )
      ).token,
    );
    const wrongToken = `${api.slice(0, 32)}00000000`;
    secrets.push(wrongToken);
    expect(
      (await call('/fmerest/v3/info', { headers: { Authorization: `fmetoken token=${wrongToken}` } })).status,
    ).toBe(401);
    const put = await call('/fmerest/v3/security/accounts/uma', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `fmetoken token=${session}` },
      body: JSON.stringify({ password: NEW_PASSWORD, currentPassword: USER_PASSWORD }),
    });
    expect(put.status).toBe(204);
    expect(
      (
        await call('/fmerest/v3/logout', {
          method: 'POST',
          headers: { Authorization: `fmetoken token=${session}` },
        })
      ).status,
    ).toBe(204);

    // Log lines are written after each answer: wait for the last request's line.
    const deadline = Date.now() + 5000;
    while (!server.output().includes('"path":"/fmerest/v3/logout"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const output = server.output();
    // The flow was logged: one line per request, by path.
    expect(output).toContain('"path":"/fmetoken/generate"');
    expect(output).toContain('"path":"/fmerest/v3/login"');
    expect(output.match(/"message":"request"/g)?.length).toBe(14);
    for (const secret of secrets) expect(output, 'a secret reached the log').not.toContain(secret);
    expect(output).not.toMatch(/fmetoken=/i);
    expect(output).not.toMatch(/authorization|basic [a-z0-9+/=]{8,}/i);
    expect(output).not.toContain(encodeURIComponent(ADMIN_PASSWORD));
  });
});
