// bench/RESULTS.md from bench/results.json: the command, the machine, every figure with its spread.
import { type BenchResults, SCENARIOS } from './results';

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const spread = (values: number[], digits = 2) =>
  values.length === 0 ? 'n/a' : `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`;

export function renderReport(results: BenchResults, median: (values: number[]) => number): string {
  const lines = [
    '# Benchmark results',
    '',
    `Command: \`${results.command}\` (\`bench/run.ts\`), ${results.date}, commit \`${results.commit}\`, ` +
      `${results.durationSeconds} s in all.`,
    '',
    `Machine: ${results.machine.cpus} cores (${results.machine.cpu}), Node ${results.machine.node}. The real server ` +
      'process (`node --import tsx server/main.ts`, request log off) pinned to core 0 with `taskset`, ' +
      `\`wrk -t1 -c${results.settings.connections}\` pinned to core 1, loopback. ${results.settings.tokens.toLocaleString('en')} ` +
      'tokens stored for one user before measuring.',
    '',
    `Each round measures the public \`GET /fmeinfo/version\`, then every compared route, ${results.settings.seconds} s each; ` +
      `a ratio is a route's requests per second over the public route's **in the same round**. Median of ` +
      `${results.settings.rounds} rounds, with the spread (min–max) across rounds. The machine is shared and noisy: ` +
      'compare ratios, not absolute numbers across runs.',
    '',
    '![ratios to the public route](chart.svg)',
    '',
  ];
  for (const [kind, store] of Object.entries(results.stores)) {
    if (!store) continue;
    const publicRps = store.scenarios.public?.rps ?? [];
    lines.push(`## ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '');
    lines.push('| scenario | req/s, median (min–max) | ratio to public, median (min–max) | goal | met |');
    lines.push('|---|---|---|---|---|');
    lines.push(
      `| public \`GET /fmeinfo/version\` | ${fixed(median(publicRps), 0)} (${spread(publicRps, 0)}) | 1 | | |`,
    );
    for (const [name, meta] of Object.entries(SCENARIOS)) {
      const scenario = store.scenarios[name];
      if (!scenario) continue;
      const goal = meta.goal?.[kind as 'sqlite' | 'postgres'];
      const ratio = median(scenario.ratio);
      const met = goal === undefined ? '' : ratio >= goal ? 'yes' : '**no**';
      lines.push(
        `| ${meta.label} | ${fixed(median(scenario.rps), 0)} (${spread(scenario.rps, 0)}) | ${fixed(ratio)} (${spread(scenario.ratio)}) | ${goal === undefined ? '' : `≥ ${goal}`} | ${met} |`,
      );
    }
    const p99 = median(store.pages.p99ms);
    lines.push(
      '',
      `Token list pages (limit 50, random offsets over ${results.settings.tokens.toLocaleString('en')} tokens, ${results.settings.pageConnections} connections): p50 ${fixed(median(store.pages.p50ms))} ms ` +
        `(${spread(store.pages.p50ms)}), **p99 ${fixed(p99)} ms** (${spread(store.pages.p99ms)}); goal p99 < 10 ms: ${p99 < 10 ? 'yes' : '**no**'}.`,
      '',
      `Token creation: ${fixed(store.createsPerSecond, 0)} per second (${store.createsNon2xx} non-2xx). ` +
        `Sign-ins (Basic, 16 users in turn, argon2id one at a time): ${fixed(store.signInsPerSecond, 1)} successful per second, p99 ${fixed(store.signInP99ms, 0)} ms ` +
        `with ${results.settings.connections} clients waiting (${store.signInsNon2xx} refused with 429). ` +
        `Seeding ${results.settings.tokens.toLocaleString('en')} tokens took ${fixed(store.seedSeconds, 1)} s.`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
