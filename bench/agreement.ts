// How soon two instances on one PostgreSQL agree on a token change (goal: 100 ms), measured over many changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msUntil } from '../test/fixtures/agreement';
import { startPostgres } from '../test/fixtures/postgres';
import { startServer } from '../test/fixtures/server-process';
import { basic, createToken, fmetoken, jsonInit } from '../test/fixtures/test-app';

const ADMIN_PASSWORD = 'agreement admin password';
const ROUNDS = Number(process.env.AGREEMENT_ROUNDS ?? 50);
const GOAL_MS = 100;

const admin = basic('admin', ADMIN_PASSWORD);

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const within = samples.filter((ms) => ms < GOAL_MS).length;
  return `| ${label} | ${samples.length} | ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} | ${at(1).toFixed(1)} | ${within}/${samples.length} |`;
}

async function main(): Promise<void> {
  const cluster = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-agreement-'));
  const url = await cluster.createDatabase('agreement');
  const env = { DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' };
  const [a, b] = await Promise.all([startServer(env, dir), startServer(env, dir)]);
  try {
    const on = (baseUrl: string) => (path: string, init: RequestInit) => fetch(`${baseUrl}${path}`, init);
    const info = async (baseUrl: string, token: string) =>
      (await fetch(`${baseUrl}/fmerest/v3/info`, { headers: { Authorization: fmetoken(token) } })).status;
    const samples: Record<'create' | 'disable' | 'enable' | 'remove', number[]> = {
      create: [],
      disable: [],
      enable: [],
      remove: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      const name = `agreement ${round}`;
      const path = `/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`;
      const { token } = await createToken(on(a.baseUrl), admin, { name });
      samples.create.push(
        await msUntil(performance.now(), async () => (await info(b.baseUrl, token)) === 200),
      );
      // Warm both caches, so the next change has to reach a cached entry.
      for (const server of [a, b]) await info(server.baseUrl, token);
      await fetch(`${b.baseUrl}${path}`, jsonInit('PUT', admin, { enabled: false }));
      samples.disable.push(
        await msUntil(performance.now(), async () => (await info(a.baseUrl, token)) === 401),
      );
      await fetch(`${a.baseUrl}${path}`, jsonInit('PUT', admin, { enabled: true }));
      samples.enable.push(
        await msUntil(performance.now(), async () => (await info(b.baseUrl, token)) === 200),
      );
      for (const server of [a, b]) await info(server.baseUrl, token);
      await fetch(`${a.baseUrl}${path}`, { method: 'DELETE', headers: { Authorization: admin } });
      samples.remove.push(
        await msUntil(performance.now(), async () => (await info(b.baseUrl, token)) === 401),
      );
    }
    console.log(
      `Two instances on one PostgreSQL, ${ROUNDS} rounds, polled every 5 ms; goal < ${GOAL_MS} ms.\n`,
    );
    console.log('| change seen by the other instance | n | median ms | p95 ms | max ms | under goal |');
    console.log('|---|---|---|---|---|---|');
    for (const [label, values] of Object.entries(samples)) console.log(summary(label, values));
  } finally {
    await a.stop('SIGKILL');
    await b.stop('SIGKILL');
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
