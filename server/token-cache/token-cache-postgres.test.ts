// The verified-token cache of two instances on one PostgreSQL: a change made through one reaches the other's
// cache by LISTEN/NOTIFY, and the cache reads back PostgreSQL's columns as it reads SQLite's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { token, user } from '../../test/fixtures/counting-store';
import { type PostgresCluster, startPostgres } from '../../test/fixtures/postgres';
import { digestTokenValue, tokenKey } from '../auth/digest';
import { openPostgresStore } from '../store/postgres-store';
import { withTokenCache } from './caching-store';

describe('verified-token cache across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('drops an entry in one instance within 100 ms of a change in another', async () => {
    const url = await cluster.createDatabase('cache_agreement');
    // A's store tells the test when its listener is live and when it has handed a subject to the cache.
    const baseA = await openPostgresStore(url);
    let isLive: () => void = () => {};
    const live = new Promise<void>((resolve) => (isLive = resolve));
    let handed: (subject: string) => void = () => {};
    const nextSubject = () => new Promise<string>((resolve) => (handed = resolve));
    const a = withTokenCache({
      ...baseA,
      invalidations: {
        subscribe: (listener) =>
          baseA.invalidations.subscribe({
            stale(subject) {
              listener.stale(subject);
              handed(subject);
            },
            live: (nowLive) => listener.live(nowLive),
            trustUntil(until) {
              listener.trustUntil(until);
              isLive();
            },
          }),
      },
    });
    const b = withTokenCache(await openPostgresStore(url));
    try {
      await live;
      const owner = await a.createUser(user('u'));
      // A's own create comes back to it too; a lookup racing that message would not be cached.
      let heard = nextSubject();
      const created = await a.createToken(token(owner.id, 't', 'shared'));
      expect(await heard).toBe(`digest:${digestTokenValue('shared')}`);
      // Both dialects' columns come back the same: PostgreSQL's booleans and arrays, here.
      heard = nextSubject();
      await a.createToken({
        ...token(owner.id, 'narrow', 'narrow'),
        restricted: true,
        permissions: ['repositories:access', 'repository/Samples:read'],
      });
      await heard;
      await a.tokenCache.fill();
      expect(a.tokenCache.peek(tokenKey('shared'))?.name).toBe('t');
      expect(a.tokenCache.peek(tokenKey('narrow'))).toMatchObject({
        restricted: true,
        enabled: true,
        type: 'USER',
        source: 'api',
        permissions: ['repositories:access', 'repository/Samples:read'],
      });
      heard = nextSubject();
      const start = performance.now();
      await b.updateToken(created.id, { enabled: false });
      expect(await heard).toBe(`token:${created.id}`);
      expect(performance.now() - start).toBeLessThan(100);
      expect(a.tokenCache.peek(tokenKey('shared'))).toBeUndefined();
      expect(a.cacheSize()).toBe(1);
      expect((await a.tokenCache.lookup(tokenKey('shared')))?.enabled).toBe(false);

      // A change to the owner in B reaches every token of theirs in A.
      heard = nextSubject();
      await b.updateToken(created.id, { enabled: true });
      await heard;
      await a.tokenCache.fill();
      expect(a.tokenCache.peek(tokenKey('shared'))?.enabled).toBe(true);
      heard = nextSubject();
      await b.updateUser(owner.id, { enabled: false });
      expect(await heard).toBe(`user:${owner.id}`);
      expect(a.tokenCache.peek(tokenKey('shared'))).toBeUndefined();

      // A digest A remembers as unknown becomes known at once when B creates a token with it.
      expect(await a.tokenCache.lookup(tokenKey('later'))).toBeUndefined();
      expect(a.unknownSize()).toBe(1);
      heard = nextSubject();
      const since = performance.now();
      await b.createToken(token(owner.id, 'later', 'later'));
      expect(await heard).toBe(`digest:${digestTokenValue('later')}`);
      expect(performance.now() - since).toBeLessThan(100);
      expect(a.unknownSize()).toBe(0);
      expect((await a.tokenCache.lookup(tokenKey('later')))?.name).toBe('later');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
