// Renders the toolbar icons (16–128 px, normal and paused) from one SVG in Chromium and writes them as PNGs
// to public/icons/: npx tsx scripts/make-icons.ts
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchChromium } from '../test/fixtures/chromium';

export const ICON_SIZES = [16, 32, 48, 96, 128] as const;

/**
 * A key on a filled rounded square: the solid tile keeps it legible on light and dark toolbars alike.
 * Paused: the tile turns grey and carries two pause bars instead of the key's bit.
 */
function iconSvg(paused: boolean): string {
  const tile = paused ? '#6e7781' : '#0969da';
  const glyph = paused
    ? '<rect x="35" y="30" width="20" height="68" rx="5" fill="#fff"/><rect x="73" y="30" width="20" height="68" rx="5" fill="#fff"/>'
    : `<circle cx="44" cy="64" r="22" fill="none" stroke="#fff" stroke-width="13"/>
       <path d="M64 64 H108 M94 64 V84 M80 64 V78" stroke="#fff" stroke-width="13" stroke-linecap="round" fill="none"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128">
    <rect x="2" y="2" width="124" height="124" rx="26" fill="${tile}" stroke="#ffffff" stroke-opacity="0.35" stroke-width="3"/>
    ${glyph}
  </svg>`;
}

async function main(): Promise<void> {
  const out = resolve('public/icons');
  await mkdir(out, { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    for (const paused of [false, true]) {
      for (const size of ICON_SIZES) {
        await page.setViewportSize({ width: size, height: size });
        await page.setContent(
          `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${iconSvg(paused)}`,
        );
        const name = `${paused ? 'paused-' : ''}${size}.png`;
        await page.screenshot({ path: resolve(out, name), omitBackground: true });
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
