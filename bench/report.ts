// bench/RESULTS.md from bench/results.json: the command, the machine, every figure with its spread. Run alone:
// `tsx bench/report.ts` rewrites it from the committed results.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import {
  type BenchResults,
  BenchResultsSchema,
  BYTES_PER_TOKEN_GOAL,
  LEASE_TO_TOKEN_GOAL,
  median,
  PAGE_FLAT_FACTOR,
  PAGE_P99_GOAL_MS,
  type PageResults,
  SCENARIOS,
  type ScenarioResults,
} from './results';

/** Token creates per second, by store: PostgreSQL pays a round trip per create that SQLite does not. */
const CREATES_GOAL = { sqlite: 1500, postgres: 800 } as const;

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const spread = (values: number[], digits = 2) =>
  values.length === 0 ? 'n/a' : `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`;
const withSpread = (values: number[], digits = 2) =>
  `${fixed(median(values), digits)} (${spread(values, digits)})`;
const met = (ok: boolean) => (ok ? 'yes' : '**no**');
const count = (n: number) => n.toLocaleString('en');

function goalCell(value: number, goal: number | undefined): [string, string] {
  return goal === undefined ? ['', ''] : [`≥ ${goal}`, met(value >= goal)];
}

function pagesSection(pages: PageResults[], tokens: number): string[] {
  const lines = [
    `| tokens the user holds | keyset pages (\`after\`): p50 ms | **p99 ms** | cursors (over tokens walked) | offset pages: p50 ms | **p99 ms** |`,
    '|---|---|---|---|---|---|',
  ];
  for (const page of pages) {
    const keyset = page.keyset;
    lines.push(
      `| ${count(page.tokens)} | ${keyset ? withSpread(keyset.p50ms) : 'n/a'} | ${keyset ? withSpread(keyset.p99ms) : 'n/a'} | ${keyset ? `${count(keyset.cursors)} (${count(keyset.walkedTokens)})` : 'no `next` in the answer'} | ${withSpread(page.offset.p50ms)} | ${withSpread(page.offset.p99ms)} |`,
    );
  }
  // The goal is judged on the keyset pages where the server has them, else on the offset pages.
  const p99 = (page: PageResults | undefined) =>
    page === undefined ? Number.NaN : median((page.keyset ?? page.offset).p99ms);
  const kindOf = pages.some((page) => page.keyset) ? 'keyset' : 'offset';
  const at = p99(pages.find((page) => page.tokens === tokens));
  const fewest = p99(pages[0]);
  const most = p99(pages.at(-1));
  lines.push(
    '',
    `Goals, on the ${kindOf} pages: p99 < ${PAGE_P99_GOAL_MS} ms at ${count(tokens)} tokens: ${fixed(at)} ms, ${met(at < PAGE_P99_GOAL_MS)}; ` +
      `flat (p99 at ${count(pages.at(-1)?.tokens ?? 0)} at most ${PAGE_FLAT_FACTOR}× p99 at ${count(pages[0]?.tokens ?? 0)}): ` +
      `${fixed(most / fewest)}×, ${met(most / fewest <= PAGE_FLAT_FACTOR)}.`,
  );
  return lines;
}

/** A lease's requests per second over its token's, round by round (both are over the same round's public route). */
function leaseSection(lease: ScenarioResults | undefined, valid: ScenarioResults | undefined): string[] {
  if (!lease || !valid || lease.ratio.length === 0) return [];
  const ratios = lease.ratio.map((ratio, round) => ratio / (valid.ratio[round] ?? Number.NaN));
  const value = median(ratios);
  return [
    '',
    `A lease of the valid token (what the extension sends in its place) over the token itself, round by round: ` +
      `${withSpread(ratios)}; goal ≥ ${LEASE_TO_TOKEN_GOAL}: ${met(value >= LEASE_TO_TOKEN_GOAL)}.`,
  ];
}

export function renderReport(results: BenchResults): string {
  const { settings } = results;
  const lines = [
    '# Benchmark results',
    '',
    `Command: \`${results.command}\` (\`bench/run.ts\`), ${results.date}, commit \`${results.commit}\`, ` +
      `${results.durationSeconds} s in all.`,
    '',
    `Machine: ${results.machine.cpus} cores (${results.machine.cpu}), Node ${results.machine.node}. The real server ` +
      'process (`node --import tsx server/main.ts`, request log off) and a bare Hono app on @hono/node-server ' +
      "(`bench/bare-hono.ts`: the same JSON body as tokenward's public `GET /fmeinfo/version`, serialized by `c.json`) " +
      `pinned to core 0 with \`taskset\`, \`wrk -t1 -c${settings.connections}\` pinned to core 1, loopback. ` +
      `${count(settings.tokens)} tokens stored for one user before measuring, and users holding ` +
      `${settings.pageTokens.map(count).join(', ')} tokens for the token pages.`,
    '',
    `Each round measures the bare app, then tokenward's public route, then every compared route, ${settings.seconds} s each; ` +
      "a ratio is a route's requests per second over the bare app's or the public route's **in the same round**. " +
      `Median of ${settings.rounds} rounds, with the spread (min–max) across rounds. The machine is shared and noisy: ` +
      "compare ratios, not absolute numbers across runs. The server's CPU time per request (from /proc, user + " +
      'system) is steadier than requests per second when other work shares the core. The last column is that CPU ' +
      "time over the run's wall time: near 100% of its core, the server (not wrk, which formats every request " +
      'once before the run) is what limits the requests per second; well under it, something else was.',
    '',
    '![ratios to bare Hono and to the public route](chart.svg)',
    '',
  ];
  for (const [kind, store] of Object.entries(results.stores)) {
    if (!store) continue;
    const k = kind as 'sqlite' | 'postgres';
    lines.push(`## ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '');
    lines.push(
      '| scenario | req/s, median (min–max) | ratio to bare Hono | goal | met | ratio to public | goal | met | server CPU µs/request | server CPU, % of its core |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    const bare = store.scenarios.bare;
    if (bare) {
      lines.push(
        `| bare Hono, same JSON route | ${withSpread(bare.rps, 0)} | 1 | | | ${withSpread(bare.ratio)} | | | ${withSpread(bare.cpuUsPerRequest, 1)} | ${withSpread(bare.cpuPercent ?? [], 0)} |`,
      );
    }
    for (const [name, meta] of Object.entries(SCENARIOS)) {
      const scenario = store.scenarios[name];
      if (!scenario) continue;
      const [bareGoal, bareMet] = goalCell(median(scenario.ratioToBare), meta.toBare?.[k]);
      const [publicGoal, publicMet] = goalCell(median(scenario.ratio), meta.toPublic?.[k]);
      lines.push(
        `| ${meta.label} | ${withSpread(scenario.rps, 0)} | ${withSpread(scenario.ratioToBare)} | ${bareGoal} | ${bareMet} | ${name === 'public' ? '1' : withSpread(scenario.ratio)} | ${publicGoal} | ${publicMet} | ${withSpread(scenario.cpuUsPerRequest, 1)} | ${withSpread(scenario.cpuPercent ?? [], 0)} |`,
      );
    }
    lines.push(...leaseSection(store.scenarios.lease, store.scenarios.valid));
    const perToken = (store.heap.afterBytes - store.heap.beforeBytes) / store.heap.tokens;
    lines.push(
      '',
      `### Token pages (limit 50, ${settings.pageConnections} connections, ${settings.pageSeconds} s a round)`,
      '',
      ...pagesSection(store.pages, settings.tokens),
      '',
      `Memory per cached token: heap in use after garbage collection ${fixed(store.heap.beforeBytes / 1048576, 1)} MiB before and ` +
        `${fixed(store.heap.afterBytes / 1048576, 1)} MiB after presenting each of the ${count(store.heap.tokens)} tokens once ` +
        `(${fixed(store.heap.warmSeconds, 1)} s): **${fixed(perToken, 0)} bytes a token**; goal ≤ ${BYTES_PER_TOKEN_GOAL}: ${met(perToken <= BYTES_PER_TOKEN_GOAL)}. ` +
        'Divided by the tokens presented: it is the cost of an entry only where the cache keeps every one of them ' +
        '(a cache bounded below that count, as one of 10,000 entries, shows less than its entries cost).',
      '',
      `Token creation: **${fixed(store.createsPerSecond, 0)} per second** (${store.createsNon2xx} non-2xx); ` +
        `goal ≥ ${count(CREATES_GOAL[k])}: ${met(store.createsPerSecond >= CREATES_GOAL[k])}. ` +
        `Sign-ins (Basic, 16 users in turn, argon2id one at a time): ${fixed(store.signInsPerSecond, 1)} successful per second, p99 ${fixed(store.signInP99ms, 0)} ms ` +
        `with ${settings.connections} clients waiting (${store.signInsNon2xx} refused with 429). ` +
        `Seeding ${[settings.tokens, ...settings.pageTokens.filter((n) => n !== settings.tokens)].map(count).join(' + ')} tokens took ${fixed(store.seedSeconds, 1)} s.`,
      '',
    );
  }
  // Why goals are not met is judgement, not a figure: written by hand beside the results, kept under them.
  const goals = resolve('bench/GOALS.md');
  if (existsSync(goals)) lines.push(readFileSync(goals, 'utf8').trimEnd());
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = v.parse(
    BenchResultsSchema,
    JSON.parse(readFileSync(resolve('bench/results.json'), 'utf8')),
  );
  writeFileSync(resolve('bench/RESULTS.md'), renderReport(results));
}
