// npm run bench: wrk on loopback against the real server on SQLite and on PostgreSQL, and against a bare Hono
// app serving the same public JSON route, each comparison a ratio measured within one round (median of ROUNDS),
// servers pinned to core 0 and wrk to core 1. Writes bench/results.json, bench/RESULTS.md and bench/chart.svg.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTokenValue } from '../shared/token-format';
import { freePort } from '../test/fixtures/free-port';
import { type PostgresCluster, startPostgres } from '../test/fixtures/postgres';
import { SERVER_COMMAND, typeScriptCommand } from '../test/fixtures/server-process';
import { renderChart } from './chart';
import { renderReport } from './report';
import type { BenchResults, PageResults, ScenarioResults, StoreResults } from './results';
import { seedTokens } from './seed';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PAGE_SECONDS = Number(process.env.BENCH_PAGE_SECONDS ?? 2);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
/** Tokens held by the users whose pages are measured; the one equal to TOKENS is the bench user's own. */
const PAGE_TOKENS = (process.env.BENCH_PAGE_TOKENS ?? '10000,100000,1000000').split(',').map(Number);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres')
  .split(',')
  .filter((kind): kind is 'sqlite' | 'postgres' => kind === 'sqlite' || kind === 'postgres');
/**
 * BENCH_ONLY=valid,unknown (any of the route scenarios, `heap`, `pages`, `creates`, `signIns`) measures only
 * those, for a quick A/B: the bare app and the public route are measured in every round all the same, since
 * every route's ratio is to them; what is left out shows empty in the report.
 */
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const wanted = (name: string) => ONLY === undefined || ONLY.includes(name);
const CONNECTIONS = 16;
const PAGE_CONNECTIONS = 2;
/** Cursors are collected with pages this large, so walking a million tokens takes a thousand requests. */
const WALK_PAGE = 1000;
/** A walk stops after this long; the report says how far it got. */
const WALK_SECONDS = 60;
const ADMIN_PASSWORD = 'bench admin password';
/** Longer than the server waits to write last uses (a second), and than writing them takes. */
const USES_WRITTEN_MS = 5000;
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
const pin = (core: number, command: readonly string[]) =>
  has('taskset') ? ['taskset', '-c', String(core), ...command] : [...command];

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

interface Instance {
  baseUrl: string;
  /** The server's CPU time so far (user + system), in µs, from /proc; NaN where there is none. */
  cpuUs(): number;
  /** The server's heap in use after garbage collection (tokenward's TOKENWARD_HEAP_SIGNAL diagnostic). */
  heapUsed(): Promise<number>;
  stop(): void;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuUsOf(child: ChildProcess): number {
  try {
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Runs a server command pinned to core 0 (taskset execs it: the child is the server itself). */
async function startInstance(
  command: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<Instance> {
  const port = await freePort();
  const [program, ...args] = pin(0, command);
  const child = spawn(program as string, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), ADMIN_PASSWORD, LOG_REQUESTS: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const waiting: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiting.splice(0)) wake();
  });
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((done, fail) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          output = output.slice(match.index + match[0].length);
          done(match);
        } else if (child.exitCode !== null) fail(new Error(`server exited with ${child.exitCode}`));
        else waiting.push(check);
      };
      check();
    });
  child.once('exit', () => {
    for (const wake of waiting.splice(0)) wake();
  });
  await printed(/listening on/);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    cpuUs: () => cpuUsOf(child),
    async heapUsed() {
      const answer = printed(/heap used (\d+)\n/);
      child.kill('SIGUSR2');
      return Number((await answer)[1]);
    },
    stop: () => child.kill('SIGKILL'),
  };
}

async function json(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, init).catch((error: unknown) => {
    throw new Error(
      `${init.method ?? 'GET'} ${url}: ${String(error instanceof Error ? (error.cause ?? error) : error)}`,
    );
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  const body: unknown = await res.json();
  return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The `next` cursors of a user's token list walked once, or undefined when the server has no cursors. */
async function walkCursors(
  base: string,
  authorization: string,
): Promise<{ cursors: string[]; walked: number } | undefined> {
  const headers = { Authorization: authorization };
  const first = await json(`${base}/fmerest/v3/tokens?limit=${WALK_PAGE}&offset=0`, { headers });
  if (!('next' in first)) return undefined;
  const cursors: string[] = [];
  let walked = Array.isArray(first.items) ? first.items.length : 0;
  let next = first.next;
  const deadline = performance.now() + WALK_SECONDS * 1000;
  while (typeof next === 'string' && performance.now() < deadline) {
    cursors.push(next);
    const page = await json(
      `${base}/fmerest/v3/tokens?limit=${WALK_PAGE}&after=${encodeURIComponent(next)}`,
      {
        headers,
      },
    );
    walked += Array.isArray(page.items) ? page.items.length : 0;
    next = page.next;
  }
  return { cursors, walked };
}

/**
 * GET /fmerest/v3/info with each token value once, in order, in one-second wrk runs that go on where the last
 * one stopped (wrk cannot stop itself sooner than its duration).
 */
function presentEachOnce(base: string, valuesFile: string, count: number): void {
  for (let presented = 0; presented < count; ) {
    const run = wrk(base, {
      path: '/fmerest/v3/info',
      script: 'tokens-in-order.lua',
      args: [valuesFile, String(presented)],
      seconds: 1,
    });
    if (run.non2xx > 0) throw new Error(`${run.non2xx} seeded tokens were refused`);
    presented += run.requests;
  }
}

/**
 * Waits (at most `atMostMs`) until the server has been idle for `quietForMs`: work a scenario left behind
 * (last-use writes still being flushed, garbage) would otherwise be billed to the next one, the public route of
 * the next round included.
 */
async function settle(instance: Instance, atMostMs = 20_000, quietForMs = 250): Promise<void> {
  const started = performance.now();
  let quietSince = performance.now();
  while (performance.now() < started + atMostMs) {
    const before = instance.cpuUs();
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Under 5% of a core over a quarter of a second (or no /proc to ask): idle.
    if (instance.cpuUs() - before > 12_500) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietForMs) break;
  }
  const waited = (performance.now() - started) / 1000;
  if (waited > 1) process.stderr.write(`  (waited ${waited.toFixed(1)} s for the server to go idle)\n`);
}

/**
 * Measures `run` on one instance: its wrk figures, the server's CPU time per request, and the share of its core
 * the server used meanwhile. Near 100% the server is the limit; well under it, something else was (wrk, or other
 * work on the server's core).
 */
function measure(
  instance: Instance,
  run: WrkRun,
): WrkResult & { cpuUsPerRequest: number; cpuPercent: number } {
  const before = instance.cpuUs();
  const started = performance.now();
  const result = wrk(instance.baseUrl, run);
  const cpuUs = instance.cpuUs() - before;
  return {
    ...result,
    cpuUsPerRequest: cpuUs / Math.max(1, result.requests),
    cpuPercent: cpuUs / ((performance.now() - started) * 10),
  };
}

const emptyScenario = (): ScenarioResults => ({
  rps: [],
  ratio: [],
  ratioToBare: [],
  cpuUsPerRequest: [],
  cpuPercent: [],
});

async function benchStore(
  kind: 'sqlite' | 'postgres',
  cluster: PostgresCluster | undefined,
  bare: Instance,
): Promise<StoreResults> {
  const dir = mkdtempSync(join(tmpdir(), `tokenward-bench-${kind}-`));
  const location =
    kind === 'sqlite'
      ? join(dir, 'bench.sqlite')
      : await (cluster as PostgresCluster).createDatabase('bench');
  const databaseUrl = kind === 'sqlite' ? `sqlite:${location}` : location;
  const mostTokens = Math.max(TOKENS, ...PAGE_TOKENS);
  // The seeded users hold far more tokens than the default cap of API tokens per user. --expose-gc and
  // TOKENWARD_HEAP_SIGNAL: the heap is measured, after garbage collection, around warming the token cache.
  const [node, ...rest] = SERVER_COMMAND;
  const server = await startInstance(
    [node, '--expose-gc', ...rest],
    { DATABASE_URL: databaseUrl, MAX_TOKENS_PER_USER: String(mostTokens + 100), TOKENWARD_HEAP_SIGNAL: '1' },
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
    const addUser = (name: string) =>
      json(`${base}/fmerest/v3/security/accounts`, post({ name, password: USER_PASSWORD }, admin));
    const tokenOf = async (user: string, name: string) =>
      String((await json(`${base}/fmerest/v3/tokens`, post({ name }, basic(user, USER_PASSWORD)))).token);
    await addUser('bench');
    const signInUsers = Array.from({ length: 16 }, (_, i) => `signer${i}`);
    for (const name of signInUsers) await addUser(name);
    const valid = String(
      (await json(`${base}/fmerest/v3/tokens`, post({ name: 'bench valid' }, admin))).token,
    );
    // What the extension sends in place of that token: a lease of it, for the longest time one may last.
    const lease = String(
      (await json(`${base}/fmerest/v3/tokens/admin/bench%20valid/leases`, post({ ttl: 3600 }, admin))).token,
    );
    // Seeding SQLite blocks this process: after it, fetch is given a second to notice the connections the server
    // closed meanwhile (idle past its keep-alive timeout) before it sends anything on them.
    let seedSeconds = 0;
    const seed = async (user: string, count: number, prefix?: string) => {
      const started = performance.now();
      const seeded = await seedTokens({ kind, location }, user, count, prefix);
      seedSeconds += (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return seeded;
    };
    // The request path (a cached token, a lookup that finds nothing) compiled before any heap is measured: its
    // machine code is the process's, made once, not a cost of each cached token. Before seeding, so that the
    // cache's first fill (on its first miss) holds none of the seeded tokens.
    const unknownFile = join(dir, 'unknown.txt');
    writeFileSync(unknownFile, `${Array.from({ length: 1000 }, createTokenValue).join('\n')}\n`);
    wrk(base, {
      path: '/fmerest/v3/info',
      headers: { Authorization: `fmetoken token=${valid}` },
      seconds: 1,
    });
    wrk(base, { path: '/fmerest/v3/info', script: 'random-token.lua', args: [unknownFile], seconds: 1 });
    const values = await seed('bench', TOKENS);
    const valuesFile = join(dir, 'values.txt');
    writeFileSync(valuesFile, `${values.join('\n')}\n`);
    const badChecksum = `${valid.slice(0, 32)}${valid.slice(32) === '00000000' ? '11111111' : '00000000'}`;

    // Bytes per cached token: the heap before and after every one of the seeded tokens is presented once.
    process.stderr.write(`${kind}: warming the token cache with all ${TOKENS} tokens\n`);
    const heapBefore = await server.heapUsed();
    const warmStart = performance.now();
    if (wanted('heap')) presentEachOnce(base, valuesFile, values.length);
    const warmSeconds = (performance.now() - warmStart) / 1000;
    // The last uses of the tokens just presented wait up to a second to be written, and are remembered until
    // they are: measured once they are written, the heap is what the cache keeps, not writes on their way.
    await new Promise((resolve) => setTimeout(resolve, USES_WRITTEN_MS));
    const heapAfter = await server.heapUsed();

    const scenarios: Record<string, (seconds: number) => WrkRun> = {
      public: (seconds) => ({ path: '/fmeinfo/version', seconds }),
      valid: (seconds) => ({
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${valid}` },
        seconds,
      }),
      lease: (seconds) => ({
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${lease}` },
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
    };
    // A person paging: two requests in flight, so the latency is the page's, not a queue's.
    const pageRun = (seconds: number, lister: string, tokens: number, cursorsFile?: string): WrkRun =>
      cursorsFile
        ? {
            connections: PAGE_CONNECTIONS,
            path: '/fmerest/v3/tokens',
            script: 'token-pages-keyset.lua',
            args: [lister, cursorsFile],
            seconds,
          }
        : {
            connections: PAGE_CONNECTIONS,
            path: '/fmerest/v3/tokens',
            script: 'token-pages.lua',
            args: [lister, String(tokens)],
            seconds,
          };
    wrk(bare.baseUrl, scenarios.public?.(1) as WrkRun);
    for (const [name, make] of Object.entries(scenarios))
      if (name === 'public' || wanted(name)) wrk(base, make(1));

    const results: Record<string, ScenarioResults> = { bare: emptyScenario() };
    for (const name of Object.keys(scenarios)) results[name] = emptyScenario();
    const routeRounds = ['valid', 'lease', 'random', 'badChecksum', 'unknown', 'public'].some(wanted)
      ? ROUNDS
      : 0;
    for (let round = 1; round <= routeRounds; round++) {
      // The bare app and the public route first, then every compared route, each against them in this round.
      await settle(server);
      const bareRun = measure(bare, scenarios.public?.(SECONDS) as WrkRun);
      const record = (name: string, run: ReturnType<typeof measure>, publicRps: number) => {
        const scenario = results[name] as ScenarioResults;
        scenario.rps.push(run.rps);
        scenario.ratio.push(run.rps / publicRps);
        scenario.ratioToBare.push(run.rps / bareRun.rps);
        scenario.cpuUsPerRequest.push(run.cpuUsPerRequest);
        scenario.cpuPercent?.push(run.cpuPercent);
      };
      const publicRun = measure(server, scenarios.public?.(SECONDS) as WrkRun);
      record('bare', bareRun, publicRun.rps);
      record('public', publicRun, publicRun.rps);
      for (const name of ['valid', 'lease', 'random', 'badChecksum', 'unknown'].filter(wanted)) {
        await settle(server);
        record(name, measure(server, scenarios[name]?.(SECONDS) as WrkRun), publicRun.rps);
      }
      process.stderr.write(`${kind}: round ${round}/${ROUNDS} done\n`);
    }
    // Token pages last, one more user for each other size of list: the token cache holds every active token,
    // so a 1M-token list seeded first would be in memory (and re-read every 30 s) during the routes above.
    const listers: Array<{ tokens: number; user: string }> = [];
    for (const count of wanted('pages') ? PAGE_TOKENS : []) {
      if (count === TOKENS) {
        listers.push({ tokens: count, user: 'bench' });
        continue;
      }
      const user = `pages${count}`;
      await addUser(user);
      await seed(user, count, `seeded for ${user}`);
      listers.push({ tokens: count, user });
    }
    const pageRuns = [];
    for (const { tokens, user } of listers) {
      // The lister's own token is one more in the list; the random offsets stay within the seeded ones.
      const lister = await tokenOf(user, 'bench lister');
      const walk = await walkCursors(base, `fmetoken token=${lister}`);
      const cursorsFile = join(dir, `cursors-${tokens}.txt`);
      if (walk) writeFileSync(cursorsFile, `${walk.cursors.join('\n')}\n`);
      process.stderr.write(
        `${kind}: ${tokens} tokens, ${walk ? `${walk.cursors.length} cursors over ${walk.walked} tokens` : 'no cursors (offset pages only)'}\n`,
      );
      pageRuns.push({
        tokens,
        lister,
        cursorsFile: walk && walk.cursors.length > 0 ? cursorsFile : undefined,
        walk,
      });
    }

    const pages: PageResults[] = pageRuns.map(({ tokens, cursorsFile, walk }) => ({
      tokens,
      ...(cursorsFile && walk
        ? {
            keyset: {
              p50ms: [],
              p99ms: [],
              rps: [],
              cursors: walk.cursors.length,
              walkedTokens: walk.walked,
            },
          }
        : {}),
      offset: { p50ms: [], p99ms: [], rps: [] },
    }));
    // The tokens just seeded were written past the server, so its cache reads every active token again, in a pass
    // that starts at most 15 s after the last one ended and keeps the server busy for up to a minute with a
    // million tokens: the pages are measured after it, not during it.
    if (pageRuns.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 16_000));
      await settle(server, 240_000, 1000);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [index, { tokens, lister, cursorsFile }] of pageRuns.entries()) {
        const page = pages[index] as PageResults;
        const modes = [
          ...(cursorsFile && page.keyset ? [[page.keyset, cursorsFile] as const] : []),
          [page.offset, undefined] as const,
        ];
        for (const [into, file] of modes) {
          const run = wrk(base, pageRun(PAGE_SECONDS, lister, tokens, file));
          into.p50ms.push(run.p50ms);
          into.p99ms.push(run.p99ms);
          into.rps.push(run.rps);
        }
      }
      process.stderr.write(`${kind}: pages round ${round}/${ROUNDS} done\n`);
    }
    const skipped: WrkResult = {
      rps: Number.NaN,
      requests: 0,
      p50ms: Number.NaN,
      p99ms: Number.NaN,
      non2xx: 0,
    };
    if (wanted('creates')) await settle(server);
    const creates = wanted('creates')
      ? wrk(base, {
          path: '/fmerest/v3/tokens',
          script: 'create-tokens.lua',
          args: [`fmetoken token=${valid}`],
          seconds: SECONDS,
        })
      : skipped;
    const signIns = wanted('signIns')
      ? wrk(base, {
          path: '/fmerest/v3/login',
          script: 'sign-in.lua',
          args: signInUsers.map((name) => basic(name, USER_PASSWORD)),
          seconds: SECONDS,
        })
      : skipped;
    return {
      seedSeconds,
      scenarios: results,
      pages,
      heap: { beforeBytes: heapBefore, afterBytes: heapAfter, tokens: TOKENS, warmSeconds },
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
  const bareDir = mkdtempSync(join(tmpdir(), 'tokenward-bench-bare-'));
  const bare = await startInstance(typeScriptCommand('bench/bare-hono.ts'), {}, bareDir);
  try {
    for (const kind of STORES) stores[kind] = await benchStore(kind, cluster, bare);
  } finally {
    bare.stop();
    rmSync(bareDir, { recursive: true, force: true });
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
      pageSeconds: PAGE_SECONDS,
      tokens: TOKENS,
      pageTokens: PAGE_TOKENS,
      connections: CONNECTIONS,
      pageConnections: PAGE_CONNECTIONS,
    },
    stores,
    durationSeconds: Math.round((performance.now() - started) / 1000),
  };
  // A partial run (BENCH_ONLY) is printed, not written over the full run's results.
  if (ONLY === undefined) {
    writeFileSync(resolve('bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(resolve('bench/chart.svg'), renderChart(results));
    writeFileSync(resolve('bench/RESULTS.md'), renderReport(results));
  }
  process.stdout.write(renderReport(results));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
