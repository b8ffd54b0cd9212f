// Token pages at the store level over 100,000 seeded tokens: offset pages, cursor pages and counts, p50/p99.
// Run: npx tsx bench/store-pages.ts [sqlite|postgres]   (quick; not part of `npm run bench`)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../server/store/postgres-store';
import { openSqliteStore } from '../server/store/sqlite-store';
import type { Store, TokenQuery } from '../server/store/store';
import { startPostgres } from '../test/fixtures/postgres';
import { seedTokens } from './seed';

const TOKENS = 100_000;
const CALLS = 200;
const LIMIT = 50;

async function timed(label: string, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await call(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]?.toFixed(2);
  console.log(`${label.padEnd(34)} p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`);
}

async function measure(kind: 'sqlite' | 'postgres', open: () => Promise<Store>, location: string) {
  let store = await open();
  const user = await store.createUser({
    name: 'bench',
    passwordHash: 'h',
    roles: [],
    enabled: true,
    createdAt: 1,
  });
  await store.close();
  await seedTokens({ kind, location }, 'bench', TOKENS);
  if (kind === 'postgres') {
    // As autovacuum would soon after a bulk load: without statistics PostgreSQL sorts every token for a page.
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query('ANALYZE');
    await client.end();
  }
  store = await open();
  const now = Math.floor(Date.now() / 1000);
  const base: TokenQuery = { userId: user.id, now, limit: LIMIT, offset: 0 };
  const random = () => Math.floor(Math.random() * (TOKENS - LIMIT));
  console.log(`${kind}, ${TOKENS} tokens of one user, ${CALLS} calls each`);
  await timed('offset page (with totalCount)', () => store.listTokens({ ...base, offset: random() }));
  await timed('totalCount (limit=0)', () => store.listTokens({ ...base, limit: 0 }));
  await timed('totalCount status=active', () => store.listTokens({ ...base, limit: 0, status: 'active' }));
  // Cursor positions: the order key of tokens at random offsets, collected beforehand.
  const all = (await store.listTokens({ ...base, limit: -1 })).items;
  const cursors = Array.from({ length: CALLS + 20 }, () => all[random()]).map((t) => ({
    createdAt: t?.createdAt ?? 0,
    id: t?.id ?? 0,
  }));
  const withCursor = { ...base } as TokenQuery & { after?: unknown };
  if ('after' in withCursor || process.env.CURSOR !== '0')
    await timed('cursor page (with totalCount)', (i) =>
      store.listTokens({ ...withCursor, after: cursors[i % cursors.length] } as TokenQuery),
    );
  await store.close();
}

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
if (kind === 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'store-pages-'));
  const path = join(dir, 'bench.sqlite');
  await measure('sqlite', async () => openSqliteStore(path), path);
  rmSync(dir, { recursive: true, force: true });
} else {
  const cluster = await startPostgres();
  try {
    const url = await cluster.createDatabase('store_pages');
    await measure('postgres', () => openPostgresStore(url), url);
  } finally {
    cluster.stop();
  }
}
