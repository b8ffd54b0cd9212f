import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/fixtures/test-app';
import type { NewToken, Store, UserRecord } from '../store/store';
import { epochSeconds } from '../time';
import { createCleanupTask } from './cleanup';

const DAY = 86400;
let t: Awaited<ReturnType<typeof createTestApp>>;
let admin: UserRecord;
let serial = 0;

beforeEach(async () => {
  t = await createTestApp();
  const found = await t.store.findUserByName('admin');
  if (!found) throw new Error('no admin');
  admin = found;
});

function token(name: string, type: 'USER' | 'SESSION', expiresAt: number): NewToken {
  return {
    userId: admin.id,
    name,
    description: '',
    type,
    source: type === 'SESSION' ? 'web' : 'api',
    digest: `digest-${++serial}`,
    enabled: true,
    restricted: false,
    permissions: [],
    createdAt: expiresAt - 1800,
    savedAt: expiresAt - 1800,
    expiresAt,
  };
}

async function names(): Promise<string[]> {
  const { items } = await t.store.listTokens({ userId: admin.id, now: 0, limit: -1, offset: 0 });
  return items.map((i) => i.name).sort();
}

describe('session cleanup', () => {
  it('deletes session tokens a week after they expired and never touches API tokens', async () => {
    const now = epochSeconds(t.clock);
    await t.store.createToken(token('api expired a year ago', 'USER', now - 365 * DAY));
    await t.store.createToken(token('session expired 8 days ago', 'SESSION', now - 8 * DAY));
    await t.store.createToken(token('session expired exactly 7 days ago', 'SESSION', now - 7 * DAY));
    await t.store.createToken(token('session expired 6 days ago', 'SESSION', now - 6 * DAY));
    await t.store.createToken(token('active session', 'SESSION', now + 600));
    const task = createCleanupTask({ store: t.store, clock: t.clock, log: t.log, policy: t.cleanupPolicy });

    expect(await task.runOnce()).toBe(2);
    expect(await names()).toEqual(['active session', 'api expired a year ago', 'session expired 6 days ago']);
    t.clock.advance(DAY);
    expect(await task.runOnce()).toBe(1);
    expect(await names()).toEqual(['active session', 'api expired a year ago']);
  });

  it('forgets addresses that have not signed in for 30 days', async () => {
    await t.store.rememberSignInClient('known:old', t.clock.now() - 31 * DAY * 1000);
    await t.store.rememberSignInClient('known:recent', t.clock.now() - 29 * DAY * 1000);
    await createCleanupTask({
      store: t.store,
      clock: t.clock,
      log: t.log,
      policy: t.cleanupPolicy,
    }).runOnce();
    expect(await t.store.signInClientLastSuccess('known:old')).toBeUndefined();
    expect(await t.store.signInClientLastSuccess('known:recent')).toBeDefined();
  });

  it('forgets request windows that have ended, and keeps the one under way', async () => {
    const now = t.clock.now();
    await t.store.countRequest('reports 192.0.2.1', now - 120_000, 60_000);
    await t.store.countRequest('reports 192.0.2.2', now - 30_000, 60_000);
    const task = createCleanupTask({ store: t.store, clock: t.clock, log: t.log, policy: t.cleanupPolicy });
    await task.runOnce();
    expect(await t.store.pruneRequestWindows(now + 60_000)).toBe(1);
  });

  it('works in batches and lets requests through between them', async () => {
    const now = epochSeconds(t.clock);
    for (let i = 0; i < 1050; i++) await t.store.createToken(token(`old ${i}`, 'SESSION', now - 30 * DAY));
    const batches: number[] = [];
    const counting: Store = {
      ...t.store,
      deleteExpiredSessionTokens: async (before, limit) => {
        const deleted = await t.store.deleteExpiredSessionTokens(before, limit);
        batches.push(deleted);
        return deleted;
      },
    };
    const task = createCleanupTask({
      store: counting,
      clock: t.clock,
      log: t.log,
      policy: t.cleanupPolicy,
      batchSize: 100,
    });
    let finished = false;
    const sweep = task.runOnce().then((deleted) => {
      finished = true;
      return deleted;
    });
    // A request made while the sweep runs is answered before the sweep is over.
    const health = await t.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(finished).toBe(false);
    expect(await sweep).toBe(1050);
    expect(batches).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50]);
    // A second caller during a sweep joins it instead of starting another.
    const [a, b] = [task.runOnce(), task.runOnce()];
    expect(a).toBe(b);
    expect(await a).toBe(0);
  });

  it('runs by itself at the configured interval', async () => {
    const now = epochSeconds(t.clock);
    await t.store.createToken(token('stale session', 'SESSION', now - 10 * DAY));
    const task = createCleanupTask({
      store: t.store,
      clock: t.clock,
      log: t.log,
      policy: { intervalMs: 20, afterSeconds: 7 * DAY },
    });
    task.start();
    try {
      const deadline = Date.now() + 2000;
      while ((await names()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await names()).toEqual([]);
      expect(t.log.lines).toContainEqual({
        level: 'info',
        message: 'removed expired session tokens',
        fields: { deleted: 1 },
      });
    } finally {
      task.stop();
    }
  });
});
