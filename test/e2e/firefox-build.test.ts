// `wxt build -b firefox`: the Firefox MV3 build has what injection needs (DNR, background scripts, an add-on id).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MANIFEST = fileURLToPath(new URL('../../.output/firefox-mv3/manifest.json', import.meta.url));

describe('the Firefox build', () => {
  it('declares DNR with host access, alarms and webRequest, background scripts and a gecko id', async () => {
    execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'ignore' });
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8'));
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions).toEqual(
      expect.arrayContaining(['storage', 'declarativeNetRequestWithHostAccess', 'alarms', 'webRequest']),
    );
    // Firefox MV3 runs background scripts (an event page), not a service worker.
    expect(manifest.background).toEqual({ scripts: ['background.js'] });
    expect(manifest.browser_specific_settings.gecko.id).toMatch(/@/);
    // Loopback on http and https, every port: rules for it need no prompt.
    expect(manifest.host_permissions).toEqual([
      'http://127.0.0.1/*',
      'https://127.0.0.1/*',
      'http://localhost/*',
      'https://localhost/*',
      'http://[::1]/*',
      'https://[::1]/*',
    ]);
  });
});
