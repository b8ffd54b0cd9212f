// Two instances on one PostgreSQL: how soon the other one agrees on a change, what agreement adds to a write, and
// what a cached verification costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import pg from 'pg';
import { digestTokenValue } from '../server/auth/digest';
import { CHANNEL, createNotifyChannel } from '../server/store/notify-channel';
import { openPostgresStore } from '../server/store/postgres-store';
import { staleAfter } from '../server/store/store';
import { withTokenCache } from '../server/token-cache/caching-store';
import { msUntil } from '../test/fixtures/agreement';
import { startPostgres } from '../test/fixtures/postgres';
import { type RunningServer, startServer } from '../test/fixtures/server-process';
import { basic, createToken, fmetoken, jsonInit } from '../test/fixtures/test-app';

const ADMIN_PASSWORD = 'agreement admin password';
const ROUNDS = Number(process.env.AGREEMENT_ROUNDS ?? 50);
const WRITES = Number(process.env.AGREEMENT_WRITES ?? 500);
const VERIFICATIONS = Number(process.env.AGREEMENT_VERIFICATIONS ?? 2000);
/** Peeks per round: a round is one synchronous loop, kept short so the heartbeats are heard between rounds. */
const PEEKS = 100_000;
const PEEK_ROUNDS = 21;

/** The admin's API token, made once: a password would cost a hash check per request. */
let admin = basic('admin', ADMIN_PASSWORD);

function percentile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => value.toFixed(2);

/** The other instance's view, polled every 5 ms from the writer's 2xx: agreed at the first look, or how late. */
async function agreementRounds(a: RunningServer, b: RunningServer): Promise<void> {
  const on = (baseUrl: string) => (path: string, init: RequestInit) => fetch(`${baseUrl}${path}`, init);
  const info = async (baseUrl: string, token: string) =>
    (await fetch(`${baseUrl}/fmerest/v3/info`, { headers: { Authorization: fmetoken(token) } })).status;
  const samples: Record<'create' | 'disable' | 'enable' | 'remove', { ms: number; first: boolean }[]> = {
    create: [],
    disable: [],
    enable: [],
    remove: [],
  };
  const seen = async (check: () => Promise<boolean>) => {
    const start = performance.now();
    const first = await check();
    return { first, ms: first ? performance.now() - start : await msUntil(start, check) };
  };
  for (let round = 0; round < ROUNDS; round++) {
    const name = `agreement ${round}`;
    const path = `/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`;
    const { token } = await createToken(on(a.baseUrl), admin, { name });
    samples.create.push(await seen(async () => (await info(b.baseUrl, token)) === 200));
    // Warm both caches, so the next change has to reach a cached entry.
    for (const server of [a, b]) await info(server.baseUrl, token);
    await fetch(`${b.baseUrl}${path}`, jsonInit('PUT', admin, { enabled: false }));
    samples.disable.push(await seen(async () => (await info(a.baseUrl, token)) === 401));
    await fetch(`${a.baseUrl}${path}`, jsonInit('PUT', admin, { enabled: true }));
    samples.enable.push(await seen(async () => (await info(b.baseUrl, token)) === 200));
    for (const server of [a, b]) await info(server.baseUrl, token);
    await fetch(`${a.baseUrl}${path}`, { method: 'DELETE', headers: { Authorization: admin } });
    samples.remove.push(await seen(async () => (await info(b.baseUrl, token)) === 401));
  }
  console.log(`\n### The other instance's view after the writer's 2xx (${ROUNDS} rounds)\n`);
  console.log('| change | n | agreed at the first look | median ms to agreement | max ms |');
  console.log('|---|---|---|---|---|');
  for (const [label, values] of Object.entries(samples)) {
    const times = values.map((value) => value.ms);
    const first = values.filter((value) => value.first).length;
    console.log(
      `| ${label} | ${values.length} | ${first}/${values.length} | ${ms(percentile(times, 0.5))} | ${ms(percentile(times, 1))} |`,
    );
  }
}

/**
 * A write as the PostgreSQL store makes it (its statement and its invalidation in one transaction), made by a
 * third instance here so that the commit and the wait after it are timed apart: the wait is what agreement adds.
 */
async function writeWait(url: string, tokenId: number): Promise<void> {
  const channel = createNotifyChannel(url);
  await channel.started;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const commit: number[] = [];
  const wait: number[] = [];
  try {
    for (let i = 0; i < WRITES; i++) {
      const write = channel.begin();
      const client = await pool.connect();
      const start = performance.now();
      try {
        await client.query('BEGIN');
        await client.query('UPDATE tokens SET description = $1 WHERE id = $2', [`write ${i}`, tokenId]);
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, write.payload([staleAfter.token(tokenId)])]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const committed = performance.now();
      await write.committed();
      commit.push(committed - start);
      wait.push(performance.now() - committed);
    }
  } finally {
    await channel.close();
    await pool.end();
  }
  console.log(
    `\n### What agreement adds to a write (${WRITES} writes, each waiting for both servers' acknowledgement)\n`,
  );
  console.log('| part of the write | p50 ms | p99 ms | max ms |');
  console.log('|---|---|---|---|');
  for (const [label, values] of [
    ['transaction (statement, message, commit)', commit],
    ['**added: waiting for agreement after the commit**', wait],
  ] as const) {
    console.log(
      `| ${label} | ${ms(percentile(values, 0.5))} | ${ms(percentile(values, 0.99))} | ${ms(percentile(values, 1))} |`,
    );
  }
}

/** A write as a client sees it: PUT on one server while the other one listens. */
async function httpWrites(a: RunningServer, name: string): Promise<void> {
  const path = `/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`;
  const times: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const start = performance.now();
    const response = await fetch(`${a.baseUrl}${path}`, jsonInit('PUT', admin, { description: `put ${i}` }));
    if (response.status !== 204) throw new Error(`PUT answered ${response.status}`);
    times.push(performance.now() - start);
  }
  console.log(
    `\n### A write over HTTP, as a client sees it (${WRITES} PUTs to one server, the other listening)\n`,
  );
  console.log('| PUT /tokens/{user}/{name} | p50 ms | p99 ms |');
  console.log('|---|---|---|');
  console.log(`| description changed | ${ms(percentile(times, 0.5))} | ${ms(percentile(times, 0.99))} |`);
}

/** A cached verification: the cache's synchronous peek in this process, and GET /info on a server. */
async function verifications(url: string, b: RunningServer, token: string): Promise<void> {
  const cached = withTokenCache(await openPostgresStore(url));
  const digest = digestTokenValue(token);
  try {
    await cached.tokenCache.lookup(digest);
    // Trusted once this instance has heard its first heartbeat back.
    await msUntil(performance.now(), async () => cached.tokenCache.peek(digest) !== undefined);
    const rounds: number[] = [];
    // Bytes the young generation grew by in a round (a round that met a scavenge shrinks it, and is left out):
    // the clock read boxes its number, as Date.now() did before leases.
    const allocated: number[] = [];
    for (let round = 0; round < PEEK_ROUNDS; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      let hits = 0;
      const before = youngGenerationUsed();
      const start = performance.now();
      for (let i = 0; i < PEEKS; i++) if (cached.tokenCache.peek(digest)) hits++;
      const elapsed = performance.now() - start;
      const grown = youngGenerationUsed() - before;
      if (hits !== PEEKS) throw new Error(`only ${hits} of ${PEEKS} peeks were hits`);
      // The first rounds run before the optimizing compiler has taken peek() in.
      if (round >= PEEK_ROUNDS / 3 && grown >= 0) allocated.push(grown / PEEKS);
      rounds.push((elapsed * 1e6) / PEEKS);
    }
    const http: number[] = [];
    for (let i = 0; i < VERIFICATIONS; i++) {
      const start = performance.now();
      const response = await fetch(`${b.baseUrl}/fmerest/v3/info`, {
        headers: { Authorization: fmetoken(token) },
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET /info answered ${response.status}`);
      http.push(performance.now() - start);
    }
    console.log('\n### A cached verification\n');
    console.log('| measure | median | min | max |');
    console.log('|---|---|---|---|');
    console.log(
      `| tokenCache.peek(), ns per call (${PEEK_ROUNDS} rounds of ${PEEKS.toLocaleString('en')}) | ${percentile(rounds, 0.5).toFixed(1)} | ${Math.min(...rounds).toFixed(1)} | ${Math.max(...rounds).toFixed(1)} |`,
    );
    console.log(
      `| bytes allocated per peek() once optimized (${allocated.length} rounds without a scavenge) | ${percentile(allocated, 0.5).toFixed(2)} | ${Math.min(...allocated).toFixed(2)} | ${Math.max(...allocated).toFixed(2)} |`,
    );
    console.log(
      `\n| GET /fmerest/v3/info with a cached token, one at a time (${VERIFICATIONS}) | p50 ms | p99 ms |\n|---|---|---|\n| | ${ms(percentile(http, 0.5))} | ${ms(percentile(http, 0.99))} |`,
    );
  } finally {
    await cached.close();
  }
}

function youngGenerationUsed(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
}

async function main(): Promise<void> {
  const cluster = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-agreement-'));
  const url = await cluster.createDatabase('agreement');
  const env = { DATABASE_URL: url, ADMIN_PASSWORD, LOG_REQUESTS: 'false' };
  const [a, b] = await Promise.all([startServer(env, dir), startServer(env, dir)]);
  try {
    console.log(`Two server processes on one PostgreSQL, loopback; Node ${process.version}.`);
    const on = (path: string, init: RequestInit) => fetch(`${a.baseUrl}${path}`, init);
    admin = fmetoken((await createToken(on, admin, { name: 'admin' })).token);
    await agreementRounds(a, b);
    const written = await createToken(on, admin, { name: 'written' });
    const checked = await createToken(on, admin, { name: 'checked' });
    // Both servers hold the written token in their caches, so each write must reach them.
    for (const server of [a, b]) {
      await fetch(`${server.baseUrl}/fmerest/v3/info`, {
        headers: { Authorization: fmetoken(written.token) },
      });
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ id: number }>("SELECT id FROM tokens WHERE name = 'written'");
    await client.end();
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('the written token is not stored');
    await writeWait(url, Number(id));
    await httpWrites(a, 'written');
    await verifications(url, b, checked.token);
  } finally {
    await a.stop('SIGKILL');
    await b.stop('SIGKILL');
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
