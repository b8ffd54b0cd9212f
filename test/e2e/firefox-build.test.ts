// `wxt build -b firefox`: the Firefox MV3 build has what injection needs (DNR, background scripts, an add-on id).
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MANIFEST_URL = new URL('../../.output/firefox-mv3/manifest.json', import.meta.url);
const MANIFEST = fileURLToPath(MANIFEST_URL);

describe('the Firefox build', () => {
  it('declares DNR with host access, alarms and webRequest, background scripts and a gecko id', async () => {
    const build = spawnSync('npx', ['wxt', 'build', '-b', 'firefox'], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    const log = `${build.stdout}${build.stderr}`;
    // Firefox asks new add-ons to declare their data collection; WXT warns while it is missing.
    expect(log).not.toMatch(/data_collection_permissions/);
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8'));
    expect(manifest.browser_specific_settings.gecko).toMatchObject({
      data_collection_permissions: { required: ['none'] },
    });
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions).toEqual(
      expect.arrayContaining([
        'storage',
        'declarativeNetRequestWithHostAccess',
        'alarms',
        'webRequest',
        'notifications',
      ]),
    );
    // Firefox MV3 runs background scripts (an event page), not a service worker.
    expect(manifest.background).toEqual({ scripts: ['background.js'] });
    expect(manifest.browser_specific_settings.gecko.id).toMatch(/@/);
    // Loopback on http and https, every port: rules for it need no prompt.
    // Loopback on every scheme a token can go to, WebSocket handshakes included.
    expect(manifest.host_permissions).toEqual(
      ['127.0.0.1', 'localhost', '[::1]'].flatMap((host) =>
        ['http', 'https', 'ws', 'wss'].map((scheme) => `${scheme}://${host}/*`),
      ),
    );
    // webextension-polyfill (through WXT's module) provides `browser` in the built scripts.
    const background = await readFile(fileURLToPath(new URL('background.js', MANIFEST_URL)), 'utf8');
    expect(background).toContain('This script should only be loaded in a browser extension');
    // A toolbar icon at every size the browsers ask for, also as the action's icon.
    expect(Object.keys(manifest.icons)).toEqual(['16', '32', '48', '96', '128']);
    expect(manifest.action.default_icon).toEqual(manifest.icons);
    for (const path of Object.values<string>(manifest.icons)) {
      expect((await stat(fileURLToPath(new URL(path, MANIFEST_URL)))).size).toBeGreaterThan(0);
    }
  });
});
