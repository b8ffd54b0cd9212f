// bench/chart.svg from bench/results.json: each scenario's ratio to the public route, per store, with its
// spread across rounds and the goal. Run alone: `tsx bench/chart.ts` redraws it from the committed results.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { type BenchResults, BenchResultsSchema, SCENARIOS } from './results';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(results: BenchResults): string {
  const names = Object.keys(SCENARIOS).filter((name) => name !== 'pages');
  const stores = (['sqlite', 'postgres'] as const).filter((kind) => results.stores[kind]);
  const colors = { sqlite: '#2f6fb0', postgres: '#d9822b' };
  const width = 760;
  const rowHeight = 26 * stores.length + 22;
  const left = 330;
  const plot = width - left - 30;
  const top = 40;
  const height = top + rowHeight * names.length + 40;
  const x = (ratio: number) => left + Math.min(ratio, 1.2) * (plot / 1.2);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">Requests per second relative to the public route (1.0)</text>`,
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
    stores.forEach((kind, index) => {
      const ratios = results.stores[kind]?.scenarios[name]?.ratio ?? [];
      if (ratios.length === 0) return;
      const y = y0 + 6 + index * 26;
      const value = median(ratios);
      parts.push(
        `<rect x="${left}" y="${y}" width="${x(value) - left}" height="16" fill="${colors[kind]}"/>`,
        `<line x1="${x(Math.min(...ratios))}" y1="${y + 8}" x2="${x(Math.max(...ratios))}" y2="${y + 8}" stroke="#000" stroke-width="1.5"/>`,
        `<text x="${x(value) + 6}" y="${y + 12}" fill="#222">${kind} ${value.toFixed(2)}</text>`,
      );
      const goal = SCENARIOS[name]?.goal?.[kind];
      if (goal !== undefined) {
        parts.push(
          `<line x1="${x(goal)}" y1="${y - 2}" x2="${x(goal)}" y2="${y + 18}" stroke="#c00" stroke-width="2" stroke-dasharray="3,2"/>`,
        );
      }
    });
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
