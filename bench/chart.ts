// bench/chart.svg from bench/results.json: each scenario's ratio to bare Hono and to tokenward's public route,
// per store, with the spread across rounds and the goal. Run alone: `tsx bench/chart.ts` redraws it from the
// committed results.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { type BenchResults, BenchResultsSchema, median, SCENARIOS } from './results';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const BARS = [
  {
    key: 'ratioToBare',
    goal: 'toBare',
    label: 'to bare Hono',
    colors: { sqlite: '#1f4e79', postgres: '#a35200' },
  },
  { key: 'ratio', goal: 'toPublic', label: 'to public', colors: { sqlite: '#6fa8dc', postgres: '#f6b26b' } },
] as const;

export function renderChart(results: BenchResults): string {
  const names = Object.keys(SCENARIOS);
  const stores = (['sqlite', 'postgres'] as const).filter((kind) => results.stores[kind]);
  const width = 860;
  const barHeight = 13;
  const rowHeight = (barHeight + 4) * BARS.length * stores.length + 20;
  const left = 330;
  // Room on the right for a label beside a spread that runs off the scale.
  const plot = width - left - 170;
  const top = 40;
  const height = top + rowHeight * names.length + 40;
  const x = (ratio: number) => left + Math.min(ratio, 1.2) * (plot / 1.2);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">Requests per second relative to bare Hono and to the public route</text>`,
  ];
  for (let tick = 0; tick <= 1.2001; tick += 0.2) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 34}" stroke="#ddd"/>`,
      `<text x="${x(tick)}" y="${height - 20}" text-anchor="middle" fill="#555">${tick.toFixed(1)}</text>`,
    );
  }
  names.forEach((name, row) => {
    const y0 = top + row * rowHeight;
    parts.push(`<text x="8" y="${y0 + 14}" fill="#222">${escapeXml(SCENARIOS[name]?.label ?? name)}</text>`);
    let index = 0;
    for (const kind of stores) {
      for (const bar of BARS) {
        const y = y0 + 4 + index * (barHeight + 4);
        index++;
        const ratios = results.stores[kind]?.scenarios[name]?.[bar.key] ?? [];
        if (ratios.length === 0 || (name === 'public' && bar.key === 'ratio')) continue;
        const value = median(ratios);
        parts.push(
          `<rect x="${left}" y="${y}" width="${Math.max(0, x(value) - left)}" height="${barHeight}" fill="${bar.colors[kind]}"/>`,
          `<line x1="${x(Math.min(...ratios))}" y1="${y + barHeight / 2}" x2="${x(Math.max(...ratios))}" y2="${y + barHeight / 2}" stroke="#000" stroke-width="1.5"/>`,
          `<text x="${x(Math.max(value, ...ratios)) + 6}" y="${y + barHeight - 2}" fill="#222" font-size="11">${kind} ${bar.label} ${value.toFixed(2)}</text>`,
        );
        const goal = SCENARIOS[name]?.[bar.goal]?.[kind];
        if (goal !== undefined) {
          parts.push(
            `<line x1="${x(goal)}" y1="${y - 2}" x2="${x(goal)}" y2="${y + barHeight + 2}" stroke="#c00" stroke-width="2" stroke-dasharray="3,2"/>`,
          );
        }
      }
    }
  });
  parts.push(
    `<text x="${left}" y="${height - 4}" fill="#555">bar: median of ${results.settings.rounds} rounds · black line: spread · red dashes: goal</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = v.parse(
    BenchResultsSchema,
    JSON.parse(readFileSync(resolve('bench/results.json'), 'utf8')),
  );
  writeFileSync(resolve('bench/chart.svg'), renderChart(results));
}
