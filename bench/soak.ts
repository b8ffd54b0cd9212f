// npm run soak: a minute of mixed load on loopback (valid, invalid, expired, disabled and missing credentials)
// against the real server; fails on any 5xx or when the server's RSS at the end is more than 10% above its
// RSS after warm-up. Server pinned to core 0, wrk to core 1. Bounded: the server and wrk are always killed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32Hex } from '../shared/token-format';
import { freePort } from '../test/fixtures/free-port';
import { SERVER_COMMAND } from '../test/fixtures/server-process';

const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const IDLE_SECONDS = 2;
const CONNECTIONS = 16;
const RSS_LIMIT = 1.1;
const ADMIN_PASSWORD = 'soak admin password';
const LUA = resolve('bench/soak.lua');
const REPORT = resolve('bench/SOAK.md');

const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pinned(core: number, command: readonly string[]): [string, ...string[]] {
  const full = hasCommand('taskset') ? ['taskset', '-c', String(core), ...command] : [...command];
  return full as [string, ...string[]];
}

/** Resident memory of a process in KiB, from /proc (taskset execs the server, so the pid is node's). */
function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kib;
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

interface WrkResult {
  requests: number;
  rps: number;
  statuses: Map<number, number>;
  socketErrors: string;
  latency: string;
}

/** Runs wrk for `seconds` with the soak script; killed if it overruns its time by 30 s. */
function runWrk(baseUrl: string, seconds: number, tokens: string[]): Promise<WrkResult> {
  const [command, ...args] = pinned(1, [
    'wrk',
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--timeout',
    '5s',
    '-s',
    LUA,
    baseUrl,
    '--',
    ...tokens,
  ]);
  const wrk = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(wrk);
  let out = '';
  wrk.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  wrk.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const overrun = setTimeout(() => wrk.kill('SIGKILL'), (seconds + 30) * 1000);
  return new Promise((done, fail) => {
    wrk.once('error', fail);
    wrk.once('exit', (code) => {
      clearTimeout(overrun);
      children.delete(wrk);
      if (code !== 0) return fail(new Error(`wrk exited with ${code}:\n${out}`));
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (!Number.isFinite(requests) || !Number.isFinite(rps))
        return fail(new Error(`unreadable wrk output:\n${out}`));
      const statuses = new Map<number, number>();
      for (const [, code, count] of out.matchAll(/^status (\d+) (\d+)$/gm))
        statuses.set(Number(code), Number(count));
      done({
        requests,
        rps,
        statuses,
        socketErrors: /Socket errors: ([^\n]+)/.exec(out)?.[1] ?? 'none',
        latency: /Latency\s+([^\n]+)/.exec(out)?.[1]?.trim().replace(/\s+/g, ' ') ?? '?',
      });
    });
  });
}

async function call(baseUrl: string, method: string, path: string, authorization: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function main(): Promise<number> {
  for (const command of ['wrk', 'taskset']) {
    if (!hasCommand(command)) throw new Error(`${command} is not installed (apt-get install -y ${command})`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-soak-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const [command, ...args] = pinned(0, SERVER_COMMAND);
  const server = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, PORT: String(port), ADMIN_PASSWORD, LOG_REQUESTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(server);
  let serverOutput = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    serverOutput += chunk.toString();
  });
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('the server did not start in 20 s')), 20_000);
      server.stdout?.on('data', (chunk: Buffer) => {
        serverOutput += chunk.toString();
        if (serverOutput.includes('listening on')) {
          clearTimeout(timer);
          done();
        }
      });
      server.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${serverOutput}`)));
    });
    const pid = server.pid;
    if (pid === undefined) throw new Error('no server pid');

    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const make = async (name: string, expirationTimeout: number) => {
      const created = await call(baseUrl, 'POST', '/fmerest/v3/tokens', basic, { name, expirationTimeout });
      const token = created.json?.token;
      if (created.status !== 201 || typeof token !== 'string')
        throw new Error(`create ${name}: ${created.status}`);
      return token;
    };
    const valid = await make('soak valid', 3600);
    const expired = await make('soak expired', 1);
    const disabled = await make('soak disabled', 3600);
    const off = await call(baseUrl, 'PUT', '/fmerest/v3/tokens/admin/soak%20disabled', basic, {
      enabled: false,
    });
    if (off.status !== 204) throw new Error(`disable: ${off.status}`);
    const badChecksum = valid.slice(0, 39) + (valid.endsWith('0') ? '1' : '0');
    const random = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const unknown = random + crc32Hex(random);
    await sleep(2000); // the 1-second token is now expired
    const tokens = [valid, badChecksum, unknown, expired, disabled];

    process.stderr.write(`warm-up: ${WARMUP_SECONDS} s\n`);
    const warmup = await runWrk(baseUrl, WARMUP_SECONDS, tokens);
    await sleep(IDLE_SECONDS * 1000);
    const rssWarm = rssKiB(pid);

    process.stderr.write(`soak: ${SOAK_SECONDS} s (RSS after warm-up ${mib(rssWarm)})\n`);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssKiB(pid)), 5000);
    const soak = await runWrk(baseUrl, SOAK_SECONDS, tokens).finally(() => clearInterval(sampler));
    await sleep(IDLE_SECONDS * 1000);
    const rssEnd = rssKiB(pid);
    const peak = rssKiB(pid, 'VmHWM');
    const health = await fetch(`${baseUrl}/healthz`);
    await health.arrayBuffer();

    const all = new Map<number, number>();
    for (const result of [warmup, soak])
      for (const [code, count] of result.statuses) all.set(code, (all.get(code) ?? 0) + count);
    const errors5xx = [...all].filter(([code]) => code >= 500).reduce((sum, [, count]) => sum + count, 0);
    const unexpected = [...all].filter(([code]) => code !== 200 && code !== 401);
    const ratio = rssEnd / rssWarm;
    const ok200 = soak.statuses.get(200) ?? 0;
    const counted = [...soak.statuses.values()].reduce((a, b) => a + b, 0);
    const breakdown = (statuses: Map<number, number>) =>
      [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ');
    const passed = errors5xx === 0 && ratio <= RSS_LIMIT && health.status === 200;

    const report = [
      '# Soak test',
      '',
      `Run: \`npm run soak\` (SOAK_SECONDS=${SOAK_SECONDS}, warm-up ${WARMUP_SECONDS} s), ${new Date().toISOString().slice(0, 19)}Z.`,
      `Machine: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), server pinned to core 0 (\`taskset -c 0\`), wrk -t1 -c${CONNECTIONS} on core 1, loopback, SQLite store, LOG_REQUESTS=false.`,
      '',
      'Requests rotate through: valid token on `GET /fmerest/v3/info`, bad-checksum token, unknown well-formed token, expired token, disabled token, no credentials, valid token on `GET /fmerest/v3/tokens?limit=10`, public `GET /fmeinfo/version` (3 of 8 should answer 200, 5 of 8 401).',
      '',
      '| measure | value |',
      '|---|---|',
      `| result | **${passed ? 'pass' : 'FAIL'}** |`,
      `| requests (soak) | ${soak.requests} in ${SOAK_SECONDS} s |`,
      `| req/s (soak) | ${soak.rps.toFixed(0)} |`,
      `| latency (avg, stdev, max, ±stdev) | ${soak.latency} |`,
      `| statuses (soak) | ${breakdown(soak.statuses)} |`,
      `| share of 200 (expected 0.375) | ${counted > 0 ? (ok200 / counted).toFixed(3) : '?'} |`,
      `| 5xx (warm-up + soak) | ${errors5xx} |`,
      `| other unexpected statuses | ${unexpected.length === 0 ? 'none' : breakdown(new Map(unexpected))} |`,
      `| socket errors (soak) | ${soak.socketErrors} |`,
      `| warm-up | ${warmup.requests} requests, ${warmup.rps.toFixed(0)} req/s |`,
      `| RSS after warm-up (+${IDLE_SECONDS} s idle) | ${mib(rssWarm)} |`,
      `| RSS during soak (every 5 s) | ${samples.map((kib) => (kib / 1024).toFixed(0)).join(', ')} MiB |`,
      `| RSS at end (+${IDLE_SECONDS} s idle) | ${mib(rssEnd)} |`,
      `| ratio end / warm-up (limit ${RSS_LIMIT.toFixed(2)}) | ${ratio.toFixed(3)} |`,
      `| peak RSS (VmHWM) | ${mib(peak)} |`,
      `| /healthz after the soak | ${health.status} |`,
      '',
    ].join('\n');
    process.stdout.write(`\n${report}`);
    writeFileSync(REPORT, report);
    return passed ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// The whole run is bounded even if something hangs: warm-up + soak + set-up and idle pauses + a margin.
const watchdog = setTimeout(
  () => {
    process.stderr.write('soak: overran its time limit, stopping\n');
    for (const child of children) child.kill('SIGKILL');
    process.exit(2);
  },
  (WARMUP_SECONDS + SOAK_SECONDS + 90) * 1000,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

main()
  .then((code) => {
    clearTimeout(watchdog);
    process.exit(code);
  })
  .catch((error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.message : String(error)}\n`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  });
