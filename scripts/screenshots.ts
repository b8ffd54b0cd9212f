// Takes the README's screenshots of the built extension (npm run build first) in Chromium, light and dark, at every
// stop of the walk the appearance test audits: npx tsx scripts/screenshots.ts [out-dir]   (default docs/screenshots/)
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startTour, walk } from '../test/fixtures/ui-tour';

const out = resolve(process.argv[2] ?? 'docs/screenshots');

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  const tour = await startTour(resolve('.output/chrome-mv3'));
  try {
    await walk(tour, async ({ name, page, fullPage }) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(out, `${name}-${scheme}.png`), fullPage });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });
  } finally {
    await tour.close();
  }
}

await main();
