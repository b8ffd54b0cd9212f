// Many creates at once against the real server process over HTTP: one name is taken exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { CreatedTokenSchema, TokenListSchema } from '../shared/schemas/token';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'a concurrency admin password';
const CLIENTS = 50;

let dir: string;
let server: RunningServer;
/** An API token of admin: token auth lets all requests reach the store at nearly the same moment. */
let admin: string;

/** The create request itself, answer unread: races compare the statuses of many at once. */
async function postToken(authorization: string, name: string): Promise<Response> {
  return fetch(`${server.baseUrl}/fmerest/v3/tokens`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, expirationTimeout: 3600 }),
  });
}

async function listedNames(): Promise<string[]> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens?limit=-1`, {
    headers: { Authorization: admin },
  });
  expect(res.status).toBe(200);
  return v.parse(TokenListSchema, await res.json()).items.map((token) => token.name);
}

async function infoStatus(value: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/info`, {
    headers: { Authorization: `fmetoken token=${value}` },
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-concurrency-'));
  server = await startServer({ ADMIN_PASSWORD, LOG_REQUESTS: 'false' }, dir);
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  const res = await postToken(basic, 'concurrency caller');
  expect(res.status).toBe(201);
  admin = `fmetoken token=${v.parse(CreatedTokenSchema, await res.json()).token}`;
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('concurrent creates over HTTP', () => {
  it(`gives one name to exactly one of ${CLIENTS} simultaneous creates; the others get 409 NAME_TAKEN`, async () => {
    const name = 'raced name';
    const answers = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const res = await postToken(admin, name);
        return { status: res.status, body: (await res.json()) as unknown };
      }),
    );
    const statuses = answers.map((a) => a.status);
    const created = answers.filter((a) => a.status === 201);
    expect(created, `statuses: ${statuses.join(' ')}`).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => a.status)).toEqual(Array(CLIENTS - 1).fill(409));
    for (const { body } of refused) expect(v.parse(ErrorBodySchema, body).code).toBe('NAME_TAKEN');

    expect((await listedNames()).filter((listed) => listed === name)).toHaveLength(1);
    const winner = v.parse(CreatedTokenSchema, created[0]?.body);
    expect(await infoStatus(winner.token)).toBe(200);
  });

  it(`creates all of ${CLIENTS} simultaneous creates of distinct names, each listed and usable`, async () => {
    const names = Array.from({ length: CLIENTS }, (_, i) => `parallel ${i}`);
    const answers = await Promise.all(
      names.map(async (name) => {
        const res = await postToken(admin, name);
        return { status: res.status, body: (await res.json()) as unknown };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(CLIENTS).fill(201));
    const values = answers.map((a) => v.parse(CreatedTokenSchema, a.body).token);
    expect(new Set(values).size).toBe(CLIENTS);

    const listed = await listedNames();
    for (const name of names)
      expect(
        listed.filter((l) => l === name),
        name,
      ).toHaveLength(1);
    const uses = await Promise.all(values.map(infoStatus));
    expect(uses).toEqual(Array(CLIENTS).fill(200));
  });
});
