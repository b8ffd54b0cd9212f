import { Context } from 'hono';
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { SessionTokenSchema } from '../../shared/schemas/session';
import { createTokenValue } from '../../shared/token-format';
import {
  ADMIN_PASSWORD,
  adminBasic,
  createManualClock,
  createTestApp,
  fmetoken,
  jsonInit,
} from '../../test/fixtures/test-app';
import { createAuditLog } from '../audit/audit-log';
import { loadConfig } from '../config';
import { createClientAddress } from '../http/client-address';
import { silentLogger } from '../logger';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store, TokenPatch } from '../store/store';
import { withTokenCache } from '../token-cache/caching-store';
import { type AuthDeps, type AuthEnv, createAuthenticate, createAuthenticated } from './authenticate';
import { digestTokenValue } from './digest';
import { createPasswordHasher } from './password';
import { createPasswordSignIn } from './password-sign-in';
import { createSignInLimiter } from './sign-in-limiter';
import { createUseRecorder } from './use-recorder';

/** The SQLite store, its digest lookups counted, and its token updates held back while `hold` is set. */
function countingStore() {
  const raw = openSqliteStore(':memory:');
  const lookups: string[] = [];
  let hold: Promise<void> | undefined;
  const store: Store = {
    ...raw,
    findTokenByDigest: (digest) => {
      lookups.push(digest);
      return raw.findTokenByDigest(digest);
    },
    updateToken: async (id: number, patch: TokenPatch) => {
      await hold;
      return raw.updateToken(id, patch);
    },
  };
  return {
    raw,
    store,
    lookups,
    holdUpdates: () => {
      let release: () => void = () => {};
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

describe('the authenticate middleware, called directly', () => {
  /** `storeOnly`: the middleware is given the store without the cache's wrapper, and the cache beside it. */
  async function setUp({ storeOnly = false } = {}) {
    const counted = countingStore();
    const store = withTokenCache(counted.store);
    const clock = createManualClock();
    const deps: AuthDeps = {
      store: storeOnly ? counted.store : store,
      tokenCache: store.tokenCache,
      clock,
      sessionPolicy: loadConfig({}).sessions,
      signIn: createPasswordSignIn({
        store,
        passwords: createPasswordHasher(),
        signIns: createSignInLimiter(store, clock),
      }),
      clientAddress: createClientAddress({ trustedProxies: [] }),
      audit: createAuditLog({ store, clock, log: silentLogger }),
      recordUse: createUseRecorder(store, silentLogger),
    };
    const authenticate = createAuthenticate(deps);
    const authenticated = createAuthenticated(deps, authenticate)((c) => c.text(c.var.auth.user.name));
    const owner = await store.createUser({
      name: 'alice',
      passwordHash: 'h',
      roles: ['fmeuser'],
      enabled: true,
      createdAt: 0,
    });
    const value = createTokenValue();
    await store.createToken({
      userId: owner.id,
      name: 'cached',
      description: '',
      type: 'USER',
      source: 'api',
      digest: digestTokenValue(value),
      enabled: true,
      restricted: false,
      permissions: [],
      createdAt: 0,
      savedAt: 0,
      expiresAt: 4_000_000_000,
    });
    /** Runs the middleware on a request with this Authorization; `reached` says whether it went on. */
    const call = (authorization: string) => {
      const c = new Context<AuthEnv>(
        new Request('http://localhost/fmerest/v3/info', { headers: { Authorization: authorization } }),
      );
      const outcome = { reached: false };
      const answered = authenticate(c, async () => {
        outcome.reached = true;
      });
      return { c, outcome, answered };
    };
    /** Runs the middleware and the route's handler as one handler, as the route token checks hit most does. */
    const route = (init: RequestInit, query = '') =>
      authenticated(new Context<AuthEnv>(new Request(`http://localhost/fmerest/v3/info${query}`, init)));
    return { store, value, call, route, lookups: counted.lookups };
  }

  it('goes on without awaiting anything when the token is cached', async () => {
    const { store, value, call, lookups } = await setUp();
    await store.tokenCache.fill();
    const { c, outcome, answered } = call(fmetoken(value));
    // Reached in the same synchronous run as the call: no promise stood between the request and the route.
    expect(outcome.reached).toBe(true);
    expect(await answered).toBeUndefined();
    expect(c.var.auth.user.name).toBe('alice');
    expect(c.var.auth.token?.name).toBe('cached');
    expect(lookups).toEqual([]);
  });

  it('verifies from the cache it is handed, not from one found on its store', async () => {
    const { store, value, call, lookups } = await setUp({ storeOnly: true });
    await store.tokenCache.fill();
    const { outcome, answered } = call(fmetoken(value));
    expect(outcome.reached).toBe(true);
    await answered;
    expect(lookups).toEqual([]);
  });

  it('goes on only after the store answers when the token is not cached yet', async () => {
    const { value, call, lookups } = await setUp();
    const { outcome, answered } = call(fmetoken(value));
    expect(outcome.reached).toBe(false);
    await answered;
    expect(outcome.reached).toBe(true);
    expect(lookups).toHaveLength(1);
  });

  it('answers a bad checksum, a malformed header and a known-unknown token with the one 401, never an exception', async () => {
    const { value, call, lookups } = await setUp();
    const unknown = createTokenValue();
    // The first sight of an unknown token asks the store; after that it is known to be unknown.
    await call(fmetoken(unknown)).answered;
    expect(lookups).toHaveLength(1);
    const badChecksum = `${value.slice(0, 32)}${value.slice(32) === '00000000' ? '11111111' : '00000000'}`;
    const bodies = new Set<string>();
    for (const authorization of [fmetoken(badChecksum), 'fmetoken nonsense', fmetoken(unknown), '']) {
      const { outcome, answered } = call(authorization);
      const res = await answered;
      expect(res).toBeInstanceOf(Response);
      expect(res?.status).toBe(401);
      expect(res?.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
      const body = await res?.text();
      expect(v.parse(ErrorBodySchema, JSON.parse(body ?? '')).code).toBe('UNAUTHORIZED');
      bodies.add(body ?? '');
      expect(outcome.reached).toBe(false);
    }
    expect(bodies.size).toBe(1);
    expect(lookups).toHaveLength(1);
  });
  it('around one handler, answers a cached token in the same turn and anything else as the middleware would', async () => {
    const { store, value, route, lookups } = await setUp();
    // Not cached yet: the store is asked, and the answer waits for it.
    const first = route({ headers: { Authorization: fmetoken(value) } });
    expect(first).toBeInstanceOf(Promise);
    expect(await (await first).text()).toBe('alice');
    await store.tokenCache.fill();
    const cached = route({ headers: { Authorization: fmetoken(value) } });
    // A Response, not a promise of one: Hono can hand it to Node in the same turn.
    expect(cached).toBeInstanceOf(Response);
    expect(await (cached as Response).text()).toBe('alice');
    expect(lookups).toHaveLength(1);
    // In the URL: the same caller, and an answer kept out of caches.
    const inUrl = await route({}, `?fmetoken=${value}`);
    expect(inUrl.status).toBe(200);
    expect(inUrl.headers.get('Cache-Control')).toBe('no-store');
    // In a small form body, as FME's older clients send it.
    const form = `fmetoken=${value}`;
    const byForm = await route({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(form.length) },
      body: form,
    });
    expect(await byForm.text()).toBe('alice');
    for (const init of [{}, { headers: { Authorization: fmetoken(createTokenValue()) } }]) {
      const refused = await route(init);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    }
    // Two different credentials are a client's mistake, thrown for the app's error handler to answer 400.
    for (const authorization of [`Basic ${btoa('alice:x')}`, fmetoken(value)])
      await expect(
        route({ headers: { Authorization: authorization } }, `?fmetoken=${createTokenValue()}`),
      ).rejects.toMatchObject({ status: 400 });
  });
});

describe('authentication from a full cache keeps every rule', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let counted: ReturnType<typeof countingStore>;
  beforeEach(async () => {
    counted = countingStore();
    t = await createTestApp({ store: counted.store });
  });

  const info = (authorization: string | undefined, query = '') =>
    t.app.request(`/fmerest/v3/info${query}`, {
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });
  const create = async (body: Record<string, unknown>, authorization = adminBasic) => {
    const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', authorization, body));
    expect(res.status).toBe(201);
    return v.parse(v.object({ token: v.string() }), await res.json()).token;
  };
  const auditEvents = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return (await t.store.listAuditEvents({ limit: 100, offset: 0 })).items;
  };

  it('refuses disabled, expired and owner-disabled tokens that the cache holds, without asking the store', async () => {
    const years = 5 * 365 * 86_400;
    const off = await create({ name: 'off', expirationTimeout: 2 * years });
    const short = await create({ name: 'short', expirationTimeout: years });
    await t.addUser('carol', 'carol password');
    const carols = await create(
      { name: 'carols', expirationTimeout: 2 * years },
      `Basic ${btoa('carol:carol password')}`,
    );
    const valid = await create({ name: 'valid', expirationTimeout: 2 * years });
    expect(
      (await t.app.request('/fmerest/v3/tokens/admin/off', jsonInit('PUT', adminBasic, { enabled: false })))
        .status,
    ).toBe(204);
    const carol = await t.store.findUserByName('carol');
    await t.store.updateUser(carol?.id ?? -1, { enabled: false });
    // Filled after the changes: the cache now holds every one of them as it is.
    await t.store.tokenCache.fill();
    const before = counted.lookups.length;
    t.clock.advance(years);
    for (const value of [off, short, carols]) expect((await info(fmetoken(value))).status).toBe(401);
    expect((await info(fmetoken(valid))).status).toBe(200);
    expect(counted.lookups).toHaveLength(before);
    const failures = (await auditEvents())
      .filter((e) => e.event === 'failed_use' || e.event === 'expired_use')
      .map((e) => [e.event, e.tokenName, e.reason]);
    expect(failures).toEqual(
      expect.arrayContaining([
        ['failed_use', 'off', 'disabled'],
        ['expired_use', 'short', null],
        ['failed_use', 'carols', 'owner_disabled'],
      ]),
    );
    // Enabling the owner again reaches the cache at once.
    await t.store.updateUser(carol?.id ?? -1, { enabled: true });
    t.clock.advance(-years);
    expect((await info(fmetoken(carols))).status).toBe(200);
  });

  it('stores a session renewal before answering, also when the session is cached', async () => {
    const res = await t.app.request('/fmerest/v3/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    const session = v.parse(SessionTokenSchema, await res.json());
    expect((await info(fmetoken(session.token))).status).toBe(200);
    const looked = counted.lookups.length;
    t.clock.advance(26 * 60);
    const release = counted.holdUpdates();
    let answered = false;
    const renewing = Promise.resolve(info(fmetoken(session.token))).then((r) => {
      answered = true;
      return r;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    release();
    expect((await renewing).status).toBe(200);
    // The renewal found the session in the cache, and was stored before the answer.
    expect(counted.lookups).toHaveLength(looked);
    const admin = await t.store.findUserByName('admin');
    const stored = await counted.raw.findToken(admin?.id ?? -1, session.name);
    expect(stored?.expiresAt).toBe(Date.parse('2026-11-22T10:56:00Z') / 1000);
  });

  it('records a query-string use and keeps the answer out of caches, for a cached token too', async () => {
    const value = await create({ name: 'in url' });
    expect((await info(fmetoken(value))).status).toBe(200);
    const looked = counted.lookups.length;
    const res = await info(undefined, `?fmetoken=${value}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(counted.lookups).toHaveLength(looked);
    const uses = (await auditEvents()).filter((e) => e.event === 'query_string_use');
    expect(uses.map((e) => e.tokenName)).toEqual(['in url']);
  });
});
