// Bytes per cached token: heap before and after the token cache reads 100,000 stored tokens, over their count.
// Run: node --expose-gc --import tsx scripts/token-cache-memory.ts [count]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedTokens } from '../bench/seed';
import { openSqliteStore } from '../server/store/sqlite-store';
import { withTokenCache } from '../server/token-cache/caching-store';

const count = Number(process.argv[2] ?? 100_000);
const gc = globalThis.gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const dir = mkdtempSync(join(tmpdir(), 'tokenward-cache-memory-'));
const file = join(dir, 'memory.sqlite');
try {
  const store = openSqliteStore(file);
  // An argon2id hash is about this long; the owner is shared, so it hardly counts either way.
  await store.createUser({
    name: 'bench',
    passwordHash: 'x'.repeat(97),
    roles: ['fmeuser'],
    enabled: true,
    createdAt: 1,
  });
  // In a function of its own: the token values it returns must not stay reachable from this module's frame and
  // count as heap in use before the cache is filled.
  await (async () => {
    await seedTokens({ kind: 'sqlite', location: file }, 'bench', count);
  })();
  const cached = withTokenCache(store);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  await cached.tokenCache.fill();
  const seconds = (performance.now() - started) / 1000;
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const size = cached.cacheSize();
  console.log(
    `${size} tokens cached in ${seconds.toFixed(2)} s (one full pass); ` +
      `${((after - before) / size).toFixed(0)} bytes per cached token (heap after minus before, over the count)`,
  );
  await cached.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
