// How the extension looks, measured in Debian's Chromium at every stop of one walk through the popup and the options
// page, in the light and the dark theme: WCAG AA contrast from computed styles (4.5:1 text, 3:1 large text and
// control boundaries), nothing outside its card at the popup's width, no text cut off without its full wording on
// hover, and the action that continues after the dependency offer in view. UPDATE_SCREENSHOTS=1 also writes the
// README's screenshots of every stop.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBothSchemes } from '../fixtures/appearance';
import { startTour, type Tour, walk } from '../fixtures/ui-tour';

const EXTENSION_DIR = fileURLToPath(new URL('../../.output/chrome-mv3', import.meta.url));
// Committed screenshots change only when asked for: UPDATE_SCREENSHOTS=1 npm run test:e2e (SCREENSHOTS_DIR=… to
// write them elsewhere, to look at before they replace the README's).
const SHOTS = process.env.SCREENSHOTS_DIR
  ? `${process.env.SCREENSHOTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

let tour: Tour;

beforeAll(async () => {
  tour = await startTour(EXTENSION_DIR);
  if (UPDATE_SCREENSHOTS) await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await tour?.close();
});

describe('appearance', () => {
  it('meets WCAG AA contrast in both themes, keeps everything in its card, and cuts off nothing unsaid', async () => {
    const problems: string[] = [];
    const stops: string[] = [];
    await walk(
      tour,
      async ({ name, page, fullPage }) => {
        stops.push(name);
        problems.push(...(await auditBothSchemes(page, name)));
        if (!UPDATE_SCREENSHOTS) return;
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({ path: `${SHOTS}${name}-${scheme}.png`, fullPage });
        }
        await page.emulateMedia({ colorScheme: 'light' });
      },
      (finding) => problems.push(finding),
    );
    console.log(`appearance: ${stops.length} stops × 2 themes audited: ${stops.join(', ')}`);
    expect(problems).toEqual([]);
  }, 240_000);
});
