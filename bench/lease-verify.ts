// What verifying a lease costs beside verifying its parent token: the same request (GET /fmerest/v3/info) through the
// whole app in memory (no socket), on SQLite behind the token cache, the two kinds alternating request by request so
// that both meet the same load on a shared machine. Prints the median microseconds per request of each, and their ratio.
import * as v from 'valibot';
import { LeaseSchema } from '../shared/schemas/lease';
import { adminBasic, createTestApp, createTokenInApp, fmetoken, jsonInit } from '../test/fixtures/test-app';

const ROUNDS = Number(process.env.LEASE_BENCH_ROUNDS ?? 40);
const BATCH = Number(process.env.LEASE_BENCH_BATCH ?? 1000);

const t = await createTestApp();
const token = fmetoken(await createTokenInApp(t.app, adminBasic, { name: 'measured' }));
const minted = await t.app.request(
  '/fmerest/v3/tokens/admin/measured/leases',
  jsonInit('POST', adminBasic, { ttl: 3600 }),
);
const lease = fmetoken(v.parse(LeaseSchema, await minted.json()).token);

const init = { token: { headers: { Authorization: token } }, lease: { headers: { Authorization: lease } } };

/** One request's microseconds. */
async function once(kind: 'token' | 'lease'): Promise<number> {
  const started = performance.now();
  const res = await t.app.request('/fmerest/v3/info', init[kind]);
  if (res.status !== 200) throw new Error(`answered ${res.status}`);
  await res.arrayBuffer();
  return (performance.now() - started) * 1000;
}

// Requests alternate one by one (and which goes first), so that both kinds meet the same load on a shared machine.
async function round(): Promise<{ token: number; lease: number }> {
  let tokenUs = 0;
  let leaseUs = 0;
  for (let i = 0; i < BATCH; i++) {
    if (i % 2 === 0) {
      tokenUs += await once('token');
      leaseUs += await once('lease');
    } else {
      leaseUs += await once('lease');
      tokenUs += await once('token');
    }
  }
  return { token: tokenUs / BATCH, lease: leaseUs / BATCH };
}

// Warm-up: both in the cache, the JIT settled.
for (let i = 0; i < 3; i++) await round();
const rounds: Array<{ token: number; lease: number }> = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const tokenUs = median(rounds.map((r) => r.token));
const leaseUs = median(rounds.map((r) => r.lease));
const ratios = rounds.map((r) => r.lease / r.token).sort((x, y) => x - y);
const quartile = (q: number) => ratios[Math.floor((ratios.length - 1) * q)]?.toFixed(3);
console.log(`| credential | µs per request (median of ${ROUNDS} rounds of ${BATCH}) |`);
console.log('|---|---|');
console.log(`| API token | ${tokenUs.toFixed(1)} |`);
console.log(`| lease of it | ${leaseUs.toFixed(1)} |`);
console.log(
  `lease / token, per round: median ${quartile(0.5)} (quartiles ${quartile(0.25)}–${quartile(0.75)})`,
);
await t.store.close();
