// npm run bench: wrk on loopback against the real server, routes compared as ratios within one run.
// Server pinned to core 0, wrk to core 1; the median of ROUNDS rounds is reported with its spread.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/fixtures/free-port';
import { SERVER_COMMAND } from '../test/fixtures/server-process';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;
const ADMIN_PASSWORD = 'bench admin password';

interface Scenario {
  name: string;
  path: string;
  headers: Record<string, string>;
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function wrk(baseUrl: string, scenario: Scenario, seconds: number): { rps: number; non2xx: number } {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(scenario.headers)) args.push('-H', `${name}: ${value}`);
  args.push(`${baseUrl}${scenario.path}`);
  const pinned = hasCommand('taskset') ? ['taskset', '-c', '1', 'wrk', ...args] : ['wrk', ...args];
  const out = execFileSync(pinned[0] as string, pinned.slice(1), { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${out}`);
  return { rps, non2xx };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  if (!hasCommand('wrk')) throw new Error('wrk is not installed: apt-get install -y wrk');
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-bench-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const pinnedServer = hasCommand('taskset')
    ? ['taskset', '-c', '0', ...SERVER_COMMAND]
    : [...SERVER_COMMAND];
  const server = spawn(pinnedServer[0] as string, pinnedServer.slice(1), {
    cwd: dir,
    env: { ...process.env, PORT: String(port), ADMIN_PASSWORD, LOG_REQUESTS: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((done, fail) => {
      server.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && done());
      server.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    });
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const created = await fetch(`${baseUrl}/fmerest/v3/tokens`, {
      method: 'POST',
      headers: { Authorization: basic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench', expirationTimeout: 3600 }),
    });
    const { token } = (await created.json()) as { token: string };
    const unknownToken = `${'0'.repeat(32)}2d7a3c8b`;

    const publicRoute: Scenario = {
      name: 'GET /fmeinfo/version (public)',
      path: '/fmeinfo/version',
      headers: {},
    };
    const compared: Scenario[] = [
      {
        name: 'GET /fmerest/v3/info, valid token',
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${token}` },
      },
      {
        name: 'GET /fmerest/v3/info, bad checksum',
        path: '/fmerest/v3/info',
        headers: { Authorization: `fmetoken token=${unknownToken}` },
      },
    ];

    for (const scenario of [publicRoute, ...compared]) wrk(baseUrl, scenario, 1);
    const ratios = new Map<string, number[]>(compared.map((s) => [s.name, []]));
    const rates = new Map<string, number[]>([publicRoute, ...compared].map((s) => [s.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      const base = wrk(baseUrl, publicRoute, SECONDS);
      rates.get(publicRoute.name)?.push(base.rps);
      for (const scenario of compared) {
        const result = wrk(baseUrl, scenario, SECONDS);
        rates.get(scenario.name)?.push(result.rps);
        ratios.get(scenario.name)?.push(result.rps / base.rps);
      }
      process.stderr.write(`round ${round}/${ROUNDS} done\n`);
    }

    const lines = [
      `| scenario | req/s median (min–max) | ratio to public, median (min–max) |`,
      `|---|---|---|`,
      ...[publicRoute, ...compared].map((s) => {
        const r = rates.get(s.name) ?? [];
        const q = ratios.get(s.name);
        const ratio = q
          ? `${median(q).toFixed(2)} (${Math.min(...q).toFixed(2)}–${Math.max(...q).toFixed(2)})`
          : '1';
        return `| ${s.name} | ${median(r).toFixed(0)} (${Math.min(...r).toFixed(0)}–${Math.max(...r).toFixed(0)}) | ${ratio} |`;
      }),
    ];
    const report = `${lines.join('\n')}\n\n${ROUNDS} rounds of ${SECONDS} s, wrk -t1 -c${CONNECTIONS}, SQLite store, node ${process.version}\n`;
    process.stdout.write(`\n${report}`);
    writeFileSync(resolve('bench/latest.md'), report);
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
