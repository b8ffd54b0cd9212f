// What a write costs, one request at a time, on SQLite and on PostgreSQL: create, disable and remove a token, sign in
// (past the session limit too), change an account's roles. Prints a markdown table of p50/p99 in milliseconds.
//
// WRITE_PATH_BASELINE=<another checkout> runs that checkout's server beside this one (same store kind, a store of
// its own) and sends every request to both in turn, alternating which goes first: on a shared, noisy machine the
// two see the same load, so the difference is what the change costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, fmetoken, signIn } from '../test/fixtures/instance-http';
import { startPostgres } from '../test/fixtures/postgres';
import { type RunningServer, startServer, typeScriptCommand } from '../test/fixtures/server-process';

const ADMIN_PASSWORD = 'write path admin password';
const ROUNDS = Number(process.env.WRITE_PATH_ROUNDS ?? 200);
/** Sign-ins: more than the default session limit (100), so that the last ones each end the oldest session. */
const SIGN_INS = Number(process.env.WRITE_PATH_SIGN_INS ?? 150);
const BASELINE = process.env.WRITE_PATH_BASELINE;

const WRITES = ['create', 'disable', 'remove', 'account roles', 'sign-in'] as const;
type Write = (typeof WRITES)[number];

/** One server under measurement: its session and its samples. */
interface Measured {
  server: RunningServer;
  caller: string;
  samples: Record<Write, number[]>;
}

async function prepare(server: RunningServer): Promise<Measured> {
  const session = await signIn(server.baseUrl, 'web', 'admin', ADMIN_PASSWORD, '127.0.0.1');
  // A session, not Basic: a password check (argon2id) on every request would be what is measured.
  const caller = fmetoken(session.token ?? '');
  const created = await call(server.baseUrl, 'POST', '/fmerest/v3/security/accounts', caller, {
    name: 'measured',
    password: 'measured password',
    roles: ['fmeuser'],
  });
  if (created.status !== 201) throw new Error(`creating the account answered ${created.status}`);
  const samples = { create: [], disable: [], remove: [], 'account roles': [], 'sign-in': [] };
  return { server, caller, samples };
}

/** The request of `write` in round `i`, and the status it must answer. */
function request(write: Write, i: number, { server, caller }: Measured) {
  const { baseUrl } = server;
  const token = `/fmerest/v3/tokens/admin/${encodeURIComponent(`measured ${i}`)}`;
  switch (write) {
    case 'create':
      return {
        expected: 201,
        send: () => call(baseUrl, 'POST', '/fmerest/v3/tokens', caller, { name: `measured ${i}` }),
      };
    case 'disable':
      return { expected: 204, send: () => call(baseUrl, 'PUT', token, caller, { enabled: false }) };
    case 'remove':
      return { expected: 204, send: () => call(baseUrl, 'DELETE', token, caller) };
    case 'account roles': {
      const roles = i % 2 === 0 ? ['fmeauthor'] : ['fmeuser'];
      return {
        expected: 204,
        send: () => call(baseUrl, 'PUT', '/fmerest/v3/security/accounts/measured', caller, { roles }),
      };
    }
    case 'sign-in':
      return {
        expected: 201,
        send: () => signIn(baseUrl, 'web', 'measured', 'measured password', '127.0.0.2'),
      };
  }
}

/** Every write of round `i` on each server in turn, the order alternating from round to round. */
async function round(i: number, writes: readonly Write[], servers: Measured[]): Promise<void> {
  const order = i % 2 === 0 ? servers : [...servers].reverse();
  for (const write of writes) {
    for (const measured of order) {
      const { expected, send } = request(write, i, measured);
      const started = performance.now();
      const { status } = await send();
      measured.samples[write].push(performance.now() - started);
      if (status !== expected) throw new Error(`${write} answered ${status}, expected ${expected}`);
    }
  }
}

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-write-path-'));
  const cluster = await startPostgres();
  const header = BASELINE
    ? [
        '| store, write | n | p50 ms | p99 ms | baseline p50 ms | baseline p99 ms |',
        '|---|---|---|---|---|---|',
      ]
    : ['| store, write | n | p50 ms | p99 ms |', '|---|---|---|---|'];
  const lines = [...header];
  try {
    for (const kind of ['SQLite', 'PostgreSQL'] as const) {
      const commands = BASELINE
        ? [typeScriptCommand('server/main.ts'), typeScriptCommand(join(BASELINE, 'server/main.ts'))]
        : [typeScriptCommand('server/main.ts')];
      const servers: Measured[] = [];
      try {
        for (const [n, command] of commands.entries()) {
          const database =
            kind === 'SQLite'
              ? `sqlite:${join(dir, `write-path-${n}.sqlite`)}`
              : await cluster.createDatabase(`write_path_${n}`);
          const env = { ADMIN_PASSWORD, LOG_REQUESTS: 'false', DATABASE_URL: database };
          servers.push(await prepare(await startServer(env, dir, command)));
        }
        for (let i = 0; i < ROUNDS; i++)
          await round(i, ['create', 'disable', 'remove', 'account roles'], servers);
        for (let i = 0; i < SIGN_INS; i++) await round(i, ['sign-in'], servers);
        for (const write of WRITES) {
          const cells = servers.flatMap(({ samples }) => [
            quantile(samples[write], 0.5).toFixed(1),
            quantile(samples[write], 0.99).toFixed(1),
          ]);
          lines.push(`| ${kind}, ${write} | ${servers[0]?.samples[write].length} | ${cells.join(' | ')} |`);
        }
      } finally {
        for (const { server } of servers) await server.stop();
      }
    }
  } finally {
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
