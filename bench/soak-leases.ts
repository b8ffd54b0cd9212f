// npm run soak:leases: the built extension in Chromium sends matched requests continuously for LEASE_SOAK_SECONDS
// (600) with 60 s leases, against the real server on loopback and a recording "API under test". Counts the
// requests that went out without the header, and those whose lease had lapsed (the server is asked about every
// distinct lease while it should be live, and again once past its ttl). Writes bench/LEASE-SOAK.md.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from '../test/fixtures/chromium';
import { startApiUnderTest, startRealClockServer } from '../test/fixtures/extension-servers';
import { connectAndSignIn } from '../test/fixtures/popup-sign-in';
import { adminBasic } from '../test/fixtures/test-app';
import { createTokenOverHttp } from '../test/fixtures/test-server';

declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

const SECONDS = Number(process.env.LEASE_SOAK_SECONDS ?? 600);
const TTL_SECONDS = 60;
/** One matched request every this many milliseconds from the page. */
const EVERY_MS = 100;
const NAME = 'soak';
const REPORT = resolve('bench/LEASE-SOAK.md');
const EXTENSION_DIR = fileURLToPath(new URL('../.output/chrome-mv3', import.meta.url));

async function main(): Promise<void> {
  if (process.env.LEASE_SOAK_SKIP_BUILD === undefined)
    execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
  const api = await startApiUnderTest();
  const server = await startRealClockServer({ corsOrigins: [api.origin] });
  const dir = await mkdtemp(join(tmpdir(), 'tokenward-lease-soak-'));
  const context = await launchWithExtension(dir, EXTENSION_DIR, { viewport: { width: 420, height: 720 } });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extensionUrl = `chrome-extension://${new URL(worker.url()).host}`;
    await createTokenOverHttp(server.baseUrl, adminBasic, { name: NAME, expirationTimeout: 86_400 });
    const popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    const send = (type: string, data: unknown) =>
      popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
    await send('setInjectionSettings', { leaseSeconds: TTL_SECONDS });
    const ref = { server: server.baseUrl, user: 'admin', name: NAME };
    await send('saveRule', {
      rule: { token: ref, patterns: [`http://127.0.0.1:${api.port}/soak`], enabled: true },
    });
    // The popup closes, as a user's would: the service worker is left to sleep and be woken by its alarms.
    await popup.close();

    const page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    const started = Date.now();
    await page.evaluate((every) => {
      let i = 0;
      window.setInterval(() => void fetch(`/soak/tick?i=${i++}`).catch(() => undefined), every);
    }, EVERY_MS);

    /** First and last arrival of each distinct lease, and whether the server still took it at its last use. */
    const leases = new Map<string, { first: number; last: number }>();
    const refusedWhileUsed = new Set<string>();
    const checkLive = async (header: string) => {
      const res = await fetch(`${server.baseUrl}/fmerest/v3/security/me`, {
        headers: { Authorization: header },
      });
      await res.body?.cancel();
      return res.status;
    };
    let seen = 0;
    let progress = started;
    while (Date.now() - started < SECONDS * 1000) {
      await new Promise((done) => setTimeout(done, 1_000));
      const fresh = api.seen.slice(seen);
      seen += fresh.length;
      for (const request of fresh) {
        const header = request.authorization;
        if (header === undefined) continue;
        const known = leases.get(header);
        if (known) known.last = request.at;
        else leases.set(header, { first: request.at, last: request.at });
      }
      // Every lease in use this second: the server must still take it (a lapsed or refused one is counted).
      const inUse = [...new Set(fresh.map((request) => request.authorization))].filter(
        (header): header is string => header !== undefined,
      );
      for (const header of inUse) if ((await checkLive(header)) !== 200) refusedWhileUsed.add(header);
      if (Date.now() - progress > 60_000) {
        progress = Date.now();
        console.log(
          `lease soak: ${Math.round((Date.now() - started) / 1000)} s, ${seen} requests, ${leases.size} leases`,
        );
      }
    }
    await page.close();
    const ticks = api.seen.filter((request) => request.path.startsWith('/soak/tick'));
    const without = ticks.filter((request) => request.authorization === undefined).length;
    const mints = server.seen
      .filter((request) => request.method === 'POST' && request.path.endsWith(`/${NAME}/leases`))
      .map((request) => request.at);
    const order = [...leases.keys()];
    // The i-th lease seen is the i-th minted; the server cuts its expiry to whole seconds (a second of margin).
    const lapsedByClock = ticks.filter((request) => {
      const index = order.indexOf(request.authorization ?? '');
      const minted = mints[index];
      return index >= 0 && minted !== undefined && request.at >= minted + (TTL_SECONDS - 1) * 1000;
    }).length;
    // And after their ttl every lease but the newest is refused.
    await new Promise((done) => setTimeout(done, (TTL_SECONDS + 1) * 1000));
    let stillTaken = 0;
    for (const header of order.slice(0, -1)) if ((await checkLive(header)) === 200) stillTaken++;
    // From each renewal's mint to the first matched request carrying the new lease (the old one covers the wait).
    const switchDelays = order
      .slice(1)
      .map((header, index) => (leases.get(header)?.first ?? 0) - (mints[index + 1] ?? 0));
    const renewals = mints.slice(1).map((at, index) => (at - (mints[index] ?? at)) / 1000);
    const pass = without === 0 && lapsedByClock === 0 && refusedWhileUsed.size === 0 && stillTaken === 0;
    const report = [
      '# Lease soak',
      '',
      `Run: \`npm run soak:leases\` (LEASE_SOAK_SECONDS=${SECONDS}, ttl ${TTL_SECONDS} s, one matched request every ${EVERY_MS} ms), ${new Date(started).toISOString()}.`,
      `Machine: Node ${process.version}, ${cpus().length} cores, Debian's Chromium (headless) with the built extension, the real server on loopback (SQLite in memory), the popup closed so the service worker sleeps between alarms.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| result | **${pass ? 'pass' : 'FAIL'}** |`,
      `| matched requests | ${ticks.length} in ${SECONDS} s |`,
      `| without the header | ${without} |`,
      `| with a lapsed lease (by the mint times) | ${lapsedByClock} |`,
      `| leases the server refused while they were in use (checked every second) | ${refusedWhileUsed.size} |`,
      `| leases minted | ${mints.length} |`,
      `| time between mints (s) | min ${Math.min(...renewals).toFixed(1)}, max ${Math.max(...renewals).toFixed(1)} |`,
      `| old lease still taken ${TTL_SECONDS + 1} s after the run | ${stillTaken} of ${Math.max(0, order.length - 1)} |`,
      `| from a renewal's mint to the first request with the new lease (ms) | max ${Math.max(0, ...switchDelays)} |`,
      '',
    ].join('\n');
    await writeFile(REPORT, report);
    console.log(report);
    if (!pass) process.exitCode = 1;
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
    await server.stop();
    await api.stop();
  }
}

await main();
