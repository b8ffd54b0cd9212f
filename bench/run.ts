// npm run bench: wrk on loopback against the real server on SQLite and on PostgreSQL, each comparison a ratio
// measured within one round (median of ROUNDS), server pinned to core 0 and wrk to core 1. Writes
// bench/results.json, bench/RESULTS.md and bench/chart.svg.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTokenValue } from '../shared/token-format';
import { freePort } from '../test/fixtures/free-port';
import { type PostgresCluster, startPostgres } from '../test/fixtures/postgres';
import { SERVER_COMMAND } from '../test/fixtures/server-process';
import { renderChart } from './chart';
import { renderReport } from './report';
import type { BenchResults, StoreResults } from './results';
import { seedTokens } from './seed';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres')
  .split(',')
  .filter((kind): kind is 'sqlite' | 'postgres' => kind === 'sqlite' || kind === 'postgres');
const CONNECTIONS = 16;
const PAGE_CONNECTIONS = 2;
const ADMIN_PASSWORD = 'bench admin password';
const USER_PASSWORD = 'bench user password';

interface WrkRun {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  script?: string;
  args?: string[];
  seconds: number;
  connections?: number;
}
interface WrkResult {
  rps: number;
  requests: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

const has = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const pin = (core: number, command: string[]) =>
  has('taskset') ? ['taskset', '-c', String(core), ...command] : command;

function toMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function wrk(baseUrl: string, run: WrkRun): WrkResult {
  const args = ['-t1', `-c${run.connections ?? CONNECTIONS}`, `-d${run.seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(run.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (run.script) args.push('-s', resolve('bench/lua', run.script));
  args.push(`${baseUrl}${run.path}`);
  if (run.args) args.push('--', ...run.args);
  const [command, ...rest] = pin(1, ['wrk', ...args]);
  const out = execFileSync(command as string, rest, { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${out}`);
  return {
    rps,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    p50ms: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99ms: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

async function startInstance(env: Record<string, string>, cwd: string) {
  const port = await freePort();
  const [command, ...args] = pin(0, [...SERVER_COMMAND]);
  const child = spawn(command as string, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), ADMIN_PASSWORD, LOG_REQUESTS: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && done());
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function json(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  const body: unknown = await res.json();
  return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function benchStore(
  kind: 'sqlite' | 'postgres',
  cluster: PostgresCluster | undefined,
): Promise<StoreResults> {
  const dir = mkdtempSync(join(tmpdir(), `tokenward-bench-${kind}-`));
  const location =
    kind === 'sqlite'
      ? join(dir, 'bench.sqlite')
      : await (cluster as PostgresCluster).createDatabase('bench');
  const databaseUrl = kind === 'sqlite' ? `sqlite:${location}` : location;
  // The bench user holds TOKENS seeded tokens, far past the default cap of API tokens per user.
  const server = await startInstance(
    { DATABASE_URL: databaseUrl, MAX_TOKENS_PER_USER: String(TOKENS + 100) },
    dir,
  );
  try {
    const base = server.baseUrl;
    const admin = basic('admin', ADMIN_PASSWORD);
    const post = (body: unknown, authorization: string): RequestInit => ({
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    await json(
      `${base}/fmerest/v3/security/accounts`,
      post({ name: 'bench', password: USER_PASSWORD }, admin),
    );
    const signInUsers = Array.from({ length: 16 }, (_, i) => `signer${i}`);
    for (const name of signInUsers) {
      await json(`${base}/fmerest/v3/security/accounts`, post({ name, password: USER_PASSWORD }, admin));
    }
    const valid = String(
      (await json(`${base}/fmerest/v3/tokens`, post({ name: 'bench valid' }, admin))).token,
    );
    const seedStart = performance.now();
    const values = await seedTokens({ kind, location }, 'bench', TOKENS);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const lister = String(
      (await json(`${base}/fmerest/v3/tokens`, post({ name: 'bench lister' }, basic('bench', USER_PASSWORD))))
        .token,
    );
    const valuesFile = join(dir, 'values.txt');
    writeFileSync(valuesFile, `${values.join('\n')}\n`);
    const unknownFile = join(dir, 'unknown.txt');
    writeFileSync(unknownFile, `${Array.from({ length: 1000 }, createTokenValue).join('\n')}\n`);
    const badChecksum = `${valid.slice(0, 32)}${valid.slice(32) === '00000000' ? '11111111' : '00000000'}`;

    const scenarios: Record<string, (seconds: number) => WrkRun> = {
      public: (seconds) => ({ path: '/fmeinfo/version', seconds }),
      valid: (seconds) => ({
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${valid}` },
        seconds,
      }),
      random: (seconds) => ({
        path: '/fmerest/v3/info',
        script: 'random-token.lua',
        args: [valuesFile],
        seconds,
      }),
      badChecksum: (seconds) => ({
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${badChecksum}` },
        seconds,
      }),
      unknown: (seconds) => ({
        path: '/fmerest/v3/info',
        script: 'random-token.lua',
        args: [unknownFile],
        seconds,
      }),
      // A person paging: two requests in flight, so the latency is the page's, not a queue's.
      pages: (seconds) => ({
        connections: PAGE_CONNECTIONS,
        path: '/fmerest/v3/tokens',
        script: 'token-pages.lua',
        args: [lister, String(TOKENS)],
        seconds,
      }),
    };
    for (const make of Object.values(scenarios)) wrk(base, make(1));

    const rps: Record<string, number[]> = Object.fromEntries(
      Object.keys(scenarios).map((name) => [name, []]),
    );
    const ratios: Record<string, number[]> = Object.fromEntries(
      Object.keys(scenarios).map((name) => [name, []]),
    );
    const pagesP99: number[] = [];
    const pagesP50: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const publicRps = wrk(base, scenarios.public?.(SECONDS) as WrkRun).rps;
      rps.public?.push(publicRps);
      ratios.public?.push(1);
      for (const name of ['valid', 'random', 'badChecksum', 'unknown', 'pages']) {
        const result = wrk(base, scenarios[name]?.(SECONDS) as WrkRun);
        rps[name]?.push(result.rps);
        ratios[name]?.push(result.rps / publicRps);
        if (name === 'pages') {
          pagesP99.push(result.p99ms);
          pagesP50.push(result.p50ms);
        }
      }
      process.stderr.write(`${kind}: round ${round}/${ROUNDS} done\n`);
    }
    const creates = wrk(base, {
      path: '/fmerest/v3/tokens',
      script: 'create-tokens.lua',
      args: [`fmetoken token=${valid}`],
      seconds: SECONDS,
    });
    const signIns = wrk(base, {
      path: '/fmerest/v3/login',
      script: 'sign-in.lua',
      args: signInUsers.map((name) => basic(name, USER_PASSWORD)),
      seconds: SECONDS,
    });
    return {
      seedSeconds,
      scenarios: Object.fromEntries(
        Object.keys(scenarios).map((name) => [name, { rps: rps[name] ?? [], ratio: ratios[name] ?? [] }]),
      ),
      pages: { p50ms: pagesP50, p99ms: pagesP99 },
      createsPerSecond: creates.rps,
      createsNon2xx: creates.non2xx,
      // Successful ones: a refused (429) sign-in is not one.
      signInsPerSecond: (signIns.requests - signIns.non2xx) / SECONDS,
      signInsNon2xx: signIns.non2xx,
      signInP99ms: signIns.p99ms,
    };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!has('wrk')) throw new Error('wrk is not installed: apt-get install -y wrk');
  const started = performance.now();
  const cluster = STORES.includes('postgres') ? await startPostgres() : undefined;
  const stores: BenchResults['stores'] = {};
  try {
    for (const kind of STORES) stores[kind] = await benchStore(kind, cluster);
  } finally {
    cluster?.stop();
  }
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const results: BenchResults = {
    command: 'npm run bench',
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    commit,
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
    settings: {
      rounds: ROUNDS,
      seconds: SECONDS,
      tokens: TOKENS,
      connections: CONNECTIONS,
      pageConnections: PAGE_CONNECTIONS,
    },
    stores,
    durationSeconds: Math.round((performance.now() - started) / 1000),
  };
  writeFileSync(resolve('bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(resolve('bench/chart.svg'), renderChart(results));
  writeFileSync(resolve('bench/RESULTS.md'), renderReport(results, median));
  process.stdout.write(renderReport(results, median));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
