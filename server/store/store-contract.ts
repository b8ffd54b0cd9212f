// The contract every store backend must pass; each backend's test file calls describeStoreContract.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountChangedError,
  LastManagerError,
  LeaseParentError,
  NameTakenError,
  type NewLease,
  type NewToken,
  type Store,
  TokenNotFoundError,
  type TokenQuery,
  type UserRecord,
} from './store';

export function describeStoreContract(backend: string, openStore: () => Promise<Store>): void {
  describe(`store contract: ${backend}`, () => {
    let store: Store;
    let alice: UserRecord;
    let bob: UserRecord;
    let digestCounter = 0;

    const token = (userId: number, name: string, overrides: Partial<NewToken> = {}): NewToken => ({
      userId,
      name,
      description: '',
      type: 'USER',
      source: 'api',
      digest: `digest-${++digestCounter}`,
      enabled: true,
      restricted: false,
      permissions: [],
      createdAt: 1000,
      savedAt: 1000,
      expiresAt: 5000,
      ...overrides,
    });

    beforeEach(async () => {
      store = await openStore();
      alice = await store.createUser({
        name: 'alice',
        passwordHash: 'h1',
        roles: ['fmeuser'],
        enabled: true,
        createdAt: 1,
      });
      bob = await store.createUser({
        name: 'bob',
        passwordHash: 'h2',
        roles: [],
        enabled: false,
        createdAt: 2,
      });
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('stores users and refuses a second user of the same name', async () => {
      expect(await store.countUsers()).toBe(2);
      expect(await store.findUserByName('alice')).toEqual(alice);
      expect(alice).toMatchObject({ name: 'alice', passwordHash: 'h1', roles: ['fmeuser'], enabled: true });
      expect(bob.enabled).toBe(false);
      expect(await store.findUserByName('nobody')).toBeUndefined();
      await expect(
        store.createUser({ name: 'alice', passwordHash: 'x', roles: [], enabled: true, createdAt: 3 }),
      ).rejects.toBeInstanceOf(NameTakenError);
      expect(await store.countUsers()).toBe(2);
    });

    it("updates a user's password hash, roles and enabled switch", async () => {
      expect(await store.updateUser(alice.id, { enabled: false, roles: ['fmeguest'] })).toBe(true);
      expect(await store.findUserByName('alice')).toEqual({ ...alice, enabled: false, roles: ['fmeguest'] });
      await store.updateUser(alice.id, { passwordHash: 'h9' });
      expect(await store.findUserByName('alice')).toEqual({
        ...alice,
        enabled: false,
        roles: ['fmeguest'],
        passwordHash: 'h9',
      });
      expect(await store.updateUser(99999, { enabled: true })).toBe(false);
    });

    it('creates a token and finds it by owner and name, and by digest with its owner', async () => {
      const created = await store.createToken(
        token(alice.id, 'CI deploy', {
          restricted: true,
          permissions: ['repositories:access'],
          description: 'd',
        }),
      );
      expect(created).toMatchObject({
        userId: alice.id,
        owner: 'alice',
        name: 'CI deploy',
        description: 'd',
        restricted: true,
        permissions: ['repositories:access'],
        lastUsedAt: null,
      });
      expect(await store.findToken(alice.id, 'CI deploy')).toEqual(created);
      expect(await store.findToken(bob.id, 'CI deploy')).toBeUndefined();
      const verified = await store.findTokenByDigest(created.digest);
      expect(verified?.token).toEqual(created);
      expect(verified?.owner).toEqual(alice);
      expect(await store.findTokenByDigest('unknown')).toBeUndefined();
    });

    it('looks names holding a NUL up without failing, and finds nothing', async () => {
      expect(await store.findUserByName('ali\u0000ce')).toBeUndefined();
      expect(await store.findToken(alice.id, 'x\u0000')).toBeUndefined();
      expect(await store.signInBlockedUntil(['k\u0000', 'j'])).toBe(0);
    });

    it('keeps names unique per owner, not across owners', async () => {
      await store.createToken(token(alice.id, 'same'));
      await expect(store.createToken(token(alice.id, 'same'))).rejects.toBeInstanceOf(NameTakenError);
      await expect(store.createToken(token(bob.id, 'same'))).resolves.toMatchObject({ owner: 'bob' });
    });

    it('lets exactly one of many concurrent creates of one name succeed', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.createToken(token(alice.id, 'race'))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(NameTakenError);
    });

    it('lists one owner newest first, with filters, pages and a total', async () => {
      await store.createToken(token(alice.id, 'old', { createdAt: 100, expiresAt: 1500 }));
      await store.createToken(token(alice.id, 'mid', { createdAt: 200, type: 'SESSION', source: 'web' }));
      await store.createToken(token(alice.id, 'new', { createdAt: 300 }));
      await store.createToken(token(bob.id, 'other', { createdAt: 400 }));
      const names = (r: { items: { name: string }[] }) => r.items.map((t) => t.name);

      const all = await store.listTokens({ userId: alice.id, now: 2000, limit: -1, offset: 0 });
      expect(names(all)).toEqual(['new', 'mid', 'old']);
      expect(all.total).toBe(3);

      const page = await store.listTokens({ userId: alice.id, now: 2000, limit: 1, offset: 1 });
      expect(names(page)).toEqual(['mid']);
      expect(page.total).toBe(3);

      const users = await store.listTokens({
        userId: alice.id,
        type: 'USER',
        now: 2000,
        limit: -1,
        offset: 0,
      });
      expect(names(users)).toEqual(['new', 'old']);
      const expired = await store.listTokens({
        userId: alice.id,
        status: 'expired',
        now: 2000,
        limit: -1,
        offset: 0,
      });
      expect(names(expired)).toEqual(['old']);
      const active = await store.listTokens({
        userId: alice.id,
        status: 'active',
        now: 2000,
        limit: -1,
        offset: 0,
      });
      expect(names(active)).toEqual(['new', 'mid']);
      expect(active.total).toBe(2);
    });

    it('updates only the fields given', async () => {
      const created = await store.createToken(token(alice.id, 't', { description: 'before' }));
      expect(await store.updateToken(created.id, { savedAt: 2000, enabled: false })).toBe(true);
      expect(await store.findToken(alice.id, 't')).toEqual({ ...created, enabled: false, savedAt: 2000 });
      await store.updateToken(created.id, {
        savedAt: 3000,
        description: 'after',
        restricted: true,
        permissions: ['jobs:access'],
        expiresAt: 9000,
      });
      expect(await store.findToken(alice.id, 't')).toEqual({
        ...created,
        enabled: false,
        description: 'after',
        restricted: true,
        permissions: ['jobs:access'],
        expiresAt: 9000,
        savedAt: 3000,
      });
      expect(await store.updateToken(99999, { savedAt: 1 })).toBe(false);
      // A renewal moves the expiry without touching savedAt.
      await store.updateToken(created.id, { expiresAt: 9500 });
      expect((await store.findToken(alice.id, 't'))?.savedAt).toBe(3000);
    });

    it('deletes a token so that its digest no longer resolves', async () => {
      const created = await store.createToken(token(alice.id, 't'));
      expect(await store.deleteToken(created.id)).toBe(true);
      expect(await store.deleteToken(created.id)).toBe(false);
      expect(await store.findTokenByDigest(created.digest)).toBeUndefined();
      expect(await store.findToken(alice.id, 't')).toBeUndefined();
    });

    it('deletes expired session tokens in batches and never an API token', async () => {
      await store.createToken(token(alice.id, 'api, long expired', { expiresAt: 100 }));
      for (let i = 0; i < 5; i++) {
        await store.createToken(
          token(alice.id, `old session ${i}`, { type: 'SESSION', source: 'web', expiresAt: 100 + i }),
        );
      }
      await store.createToken(
        token(alice.id, 'recent session', { type: 'SESSION', source: 'web', expiresAt: 900 }),
      );
      expect(await store.deleteExpiredSessionTokens(500, 3)).toBe(3);
      expect(await store.deleteExpiredSessionTokens(500, 3)).toBe(2);
      expect(await store.deleteExpiredSessionTokens(500, 3)).toBe(0);
      const left = await store.listTokens({ userId: alice.id, now: 0, limit: -1, offset: 0 });
      expect(left.items.map((t) => t.name).sort()).toEqual(['api, long expired', 'recent session']);
    });

    it('lists users by name and deletes a user together with their tokens', async () => {
      expect((await store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
      const created = await store.createToken(token(alice.id, 'doomed'));
      expect(await store.deleteUser(alice.id)).toBe(true);
      expect(await store.deleteUser(alice.id)).toBe(false);
      expect(await store.findUserByName('alice')).toBeUndefined();
      expect(await store.findTokenByDigest(created.digest)).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.name)).toEqual(['bob']);
    });

    it("deletes a user's session tokens, optionally keeping one, and never their API tokens", async () => {
      const session = (name: string) => token(alice.id, name, { type: 'SESSION', source: 'web' });
      const keep = await store.createToken(session('keep'));
      await store.createToken(session('drop 1'));
      await store.createToken(session('drop 2'));
      await store.createToken(token(alice.id, 'api'));
      await store.createToken(token(bob.id, 'bob session', { type: 'SESSION', source: 'web' }));
      expect(await store.deleteSessionTokensOf(alice.id, keep.id)).toBe(2);
      const names = async (userId: number) =>
        (await store.listTokens({ userId, now: 0, limit: -1, offset: 0 })).items.map((t) => t.name).sort();
      expect(await names(alice.id)).toEqual(['api', 'keep']);
      expect(await store.deleteSessionTokensOf(alice.id)).toBe(1);
      expect(await names(alice.id)).toEqual(['api']);
      expect(await names(bob.id)).toEqual(['bob session']);
    });

    describe('rules held in the write itself', () => {
      const manager = (name: string, createdAt = 10) =>
        store.createUser({
          name,
          passwordHash: `hash of ${name}`,
          roles: ['fmeadmin'],
          enabled: true,
          createdAt,
        });
      const event = (owner: UserRecord, tokenName: string, at = 100) => ({
        at,
        event: 'created' as const,
        ownerId: owner.id,
        owner: owner.name,
        tokenName,
        tokenType: 'USER' as const,
        actor: owner.name,
        client: null,
        reason: null,
      });
      const trail = async (owner: UserRecord) =>
        (await store.listAuditEvents({ ownerId: owner.id, limit: -1, offset: 0 })).items.map(
          (e) => `${e.event} ${e.tokenName}${e.reason ? ` (${e.reason})` : ''}`,
        );
      const session = (owner: UserRecord, name: string, createdAt: number, expiresAt = 5000) =>
        token(owner.id, name, { type: 'SESSION', source: 'web', createdAt, savedAt: createdAt, expiresAt });

      it('never lets the last enabled manager go, by roles, a disable or a delete', async () => {
        const root = await manager('root');
        await expect(store.updateUser(root.id, { roles: ['fmeuser'] })).rejects.toBeInstanceOf(
          LastManagerError,
        );
        await expect(store.updateUser(root.id, { enabled: false })).rejects.toBeInstanceOf(LastManagerError);
        await expect(store.deleteUser(root.id)).rejects.toBeInstanceOf(LastManagerError);
        // What does not take the ability away goes through; so does anything about other accounts.
        expect(await store.updateUser(root.id, { roles: ['fmeuser', 'fmeadmin'], passwordHash: 'h' })).toBe(
          true,
        );
        expect(await store.updateUser(alice.id, { enabled: false })).toBe(true);
        expect(await store.deleteUser(bob.id)).toBe(true);
        // With a second manager, either may go, but not both.
        const second = await manager('second');
        expect(await store.updateUser(root.id, { enabled: false })).toBe(true);
        await expect(store.deleteUser(second.id)).rejects.toBeInstanceOf(LastManagerError);
        expect(await store.updateUser(root.id, { enabled: true })).toBe(true);
        expect(await store.deleteUser(second.id)).toBe(true);
        expect(await store.findUserByName('root')).toMatchObject({
          enabled: true,
          roles: ['fmeuser', 'fmeadmin'],
        });
      });

      it('lets exactly one of two managers demoting each other at the same moment go', async () => {
        for (let round = 0; round < 5; round++) {
          const [x, y] = [await manager(`x${round}`), await manager(`y${round}`)];
          for (const other of await store.listUsers())
            if (other.id !== x.id && other.id !== y.id) await store.updateUser(other.id, { roles: [] });
          const outcomes = await Promise.allSettled([
            store.updateUser(x.id, { roles: ['fmeuser'] }),
            store.updateUser(y.id, { enabled: false }),
          ]);
          expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
          const managers = (await store.listUsers()).filter((u) => u.enabled && u.roles.includes('fmeadmin'));
          expect(managers).toHaveLength(1);
        }
      });

      it('refuses an API token past maxApiTokens, counting API tokens only, and exactly under a burst', async () => {
        await store.createToken(token(alice.id, 'session', { type: 'SESSION', source: 'web' }), {
          maxApiTokens: 1,
        });
        await store.createToken(token(alice.id, 'one'), { maxApiTokens: 3 });
        const burst = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            store.createToken(token(alice.id, `burst ${i}`), { maxApiTokens: 3 }),
          ),
        );
        expect(burst.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
        for (const outcome of burst.filter((o) => o.status === 'rejected'))
          expect(outcome.reason).toMatchObject({ name: 'TokenLimitError', limit: 3, held: 3 });
        expect(
          (await store.listTokens({ userId: alice.id, type: 'USER', now: 0, limit: 0, offset: 0 })).total,
        ).toBe(3);
        // Without a limit (copying a store), and for another owner, nothing is counted against it.
        await store.createToken(token(alice.id, 'copied'));
        await store.createToken(token(bob.id, 'b'), { maxApiTokens: 1 });
        await expect(store.createToken(token(99999, 'nobody'), { maxApiTokens: 3 })).rejects.toBeInstanceOf(
          AccountChangedError,
        );
      });

      it('commits the events of a create under the cap with it, every field kept, and none for a refused one', async () => {
        const events = [
          { ...event(alice, 'capped', 200), client: '10.0.0.1 (tests)', reason: 'from original' },
          { ...event(alice, 'capped', 201), event: 'duplicated' as const, actor: 'someone else' },
        ];
        const created = await store.createToken(token(alice.id, 'capped'), {
          maxApiTokens: 1,
          audit: events,
        });
        expect(created).toMatchObject({ name: 'capped', owner: 'alice', userId: alice.id, type: 'USER' });
        expect(await store.findToken(alice.id, 'capped')).toEqual(created);
        await expect(
          store.createToken(token(alice.id, 'refused'), {
            maxApiTokens: 1,
            audit: [event(alice, 'refused')],
          }),
        ).rejects.toMatchObject({ name: 'TokenLimitError', limit: 1, held: 1 });
        const trail = (await store.listAuditEvents({ ownerId: alice.id, limit: -1, offset: 0 })).items;
        expect(trail.map(({ id: _, ...rest }) => rest)).toEqual(
          [...events].reverse().map((e) => ({ ...e, ownerId: alice.id })),
        );
      });

      it('makes a session only with the password hash the sign-in checked, of an enabled user', async () => {
        const signIn = (passwordHash: string, user = alice) =>
          store.createSession(session(user, `s ${passwordHash}`, 1000), {
            passwordHash,
            maxSessions: 10,
            audit: { created: event(user, `s ${passwordHash}`), ended: () => event(user, 'ended') },
          });
        expect((await signIn('h1')).session).toMatchObject({ name: 's h1', type: 'SESSION', owner: 'alice' });
        await expect(signIn('an older hash')).rejects.toBeInstanceOf(AccountChangedError);
        await expect(signIn('h2', bob)).rejects.toBeInstanceOf(AccountChangedError); // bob is disabled
        await store.updateUser(alice.id, { passwordHash: 'h3' });
        await expect(signIn('h1')).rejects.toBeInstanceOf(AccountChangedError);
        expect(await trail(alice)).toEqual(['created s h1']);
      });

      it('ends the oldest active sessions past maxSessions with the new one, and audits each', async () => {
        const signIn = (name: string, createdAt: number, maxSessions = 3) =>
          store.createSession(session(alice, name, createdAt), {
            passwordHash: 'h1',
            maxSessions,
            audit: {
              created: event(alice, name, createdAt),
              ended: (ended) => ({
                ...event(alice, ended.name, createdAt),
                event: 'removed',
                reason: 'limit',
              }),
            },
          });
        // An expired session and an API token do not count.
        await store.createToken(session(alice, 'expired', 10, 500));
        await store.createToken(token(alice.id, 'api'));
        for (const [i, name] of ['s1', 's2', 's3'].entries())
          expect((await signIn(name, 1000 + i)).ended).toEqual([]);
        const fourth = await signIn('s4', 1010);
        expect(fourth.ended.map((t) => t.name)).toEqual(['s1']);
        expect(fourth.ended[0]).toMatchObject({ owner: 'alice', type: 'SESSION' });
        // A lower limit than held ends as many as it takes.
        expect((await signIn('s5', 1020, 2)).ended.map((t) => t.name)).toEqual(['s2', 's3']);
        const left = await store.listTokens({
          userId: alice.id,
          type: 'SESSION',
          now: 1000,
          limit: -1,
          offset: 0,
        });
        expect(left.items.map((t) => t.name).sort()).toEqual(['expired', 's4', 's5']);
        expect(left.total).toBe(3);
        expect(await trail(alice)).toEqual([
          'removed s3 (limit)',
          'removed s2 (limit)',
          'created s5',
          'removed s1 (limit)',
          'created s4',
          'created s3',
          'created s2',
          'created s1',
        ]);
      });

      it('keeps maxSessions under a burst of sign-ins, and no session past a new password sent among them', async () => {
        const signIn = (i: number, passwordHash = 'h1') =>
          store.createSession(session(alice, `burst ${i}`, 1000 + i), {
            passwordHash,
            maxSessions: 3,
            audit: {
              created: event(alice, `burst ${i}`),
              ended: (ended) => event(alice, `ended ${ended.name}`),
            },
          });
        const answers = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => signIn(i)));
        expect(answers.every((answer) => answer.status === 'fulfilled')).toBe(true);
        const count = async () =>
          (await store.listTokens({ userId: alice.id, type: 'SESSION', now: 0, limit: 0, offset: 0 })).total;
        expect(await count()).toBe(3);
        const raced = await Promise.allSettled([
          ...Array.from({ length: 4 }, (_, i) => signIn(10 + i)),
          store.updateUser(alice.id, { passwordHash: 'h2' }),
          ...Array.from({ length: 4 }, (_, i) => signIn(20 + i)),
        ]);
        expect(raced.map((answer) => answer.status)).toContain('fulfilled');
        expect(await count()).toBe(0);
      });

      it('ends the sessions (but the kept one) with a new password or a disable, not with other changes', async () => {
        const sessions = async () =>
          (await store.listTokens({ userId: alice.id, type: 'SESSION', now: 0, limit: -1, offset: 0 })).items
            .map((t) => t.name)
            .sort();
        const kept = await store.createToken(session(alice, 'kept', 1));
        await store.createToken(session(alice, 'other', 2));
        await store.createToken(token(alice.id, 'api'));
        await store.updateUser(alice.id, { roles: ['fmeauthor'] });
        expect(await sessions()).toEqual(['kept', 'other']);
        await store.updateUser(alice.id, { passwordHash: 'new' }, { keepSessionId: kept.id });
        expect(await sessions()).toEqual(['kept']);
        await store.updateUser(alice.id, { enabled: false });
        expect(await sessions()).toEqual([]);
        expect((await store.listTokens({ userId: alice.id, now: 0, limit: -1, offset: 0 })).total).toBe(1);
      });

      it("commits a change's audit events with it, and none for a change that did not happen", async () => {
        const created = await store.createToken(token(alice.id, 't'), { audit: [event(alice, 't')] });
        expect(
          await store.updateToken(created.id, { enabled: false }, [
            { ...event(alice, 't'), event: 'disabled' },
          ]),
        ).toBe(true);
        expect(await store.deleteToken(created.id, [{ ...event(alice, 't'), event: 'removed' }])).toBe(true);
        expect(
          await store.updateToken(created.id, { enabled: true }, [
            { ...event(alice, 't'), event: 'enabled' },
          ]),
        ).toBe(false);
        expect(await store.deleteToken(created.id, [{ ...event(alice, 't'), event: 'removed' }])).toBe(false);
        await store.updateUser(
          alice.id,
          { enabled: true },
          {
            audit: [{ ...event(alice, ''), event: 'account_restored', tokenType: null, actor: 'operator' }],
          },
        );
        expect(await trail(alice)).toEqual(['account_restored ', 'removed t', 'disabled t', 'created t']);
        const [restored] = (await store.listAuditEvents({ ownerId: alice.id, limit: 1, offset: 0 })).items;
        expect(restored).toMatchObject({ tokenName: '', tokenType: null, actor: 'operator' });
        // A failed write records nothing.
        await expect(
          store.createToken(token(alice.id, 'x', { digest: created.digest }), { audit: [event(alice, 'x')] }),
        ).resolves.toBeDefined();
        await expect(
          store.createToken(token(alice.id, 'x'), { audit: [event(alice, 'x again')] }),
        ).rejects.toBeInstanceOf(NameTakenError);
        expect(await trail(alice)).not.toContain('created x again');
      });
    });

    it("lists every user's tokens when no owner is given", async () => {
      await store.createToken(token(alice.id, 'a', { createdAt: 1 }));
      await store.createToken(token(bob.id, 'b', { createdAt: 2 }));
      const all = await store.listTokens({ now: 0, limit: -1, offset: 0 });
      expect(all.items.map((t) => [t.owner, t.name])).toEqual([
        ['bob', 'b'],
        ['alice', 'a'],
      ]);
      expect(all.total).toBe(2);
    });

    /** Every page of the query, each started after the last token of the one before; `between` runs between pages. */
    const walk = async (
      query: TokenQuery,
      between: (page: number) => Promise<void> = async () => {},
      total?: number,
    ) => {
      const names: string[] = [];
      let after: TokenQuery['after'];
      for (let page = 0; page < 100; page++) {
        const result = await store.listTokens({ ...query, offset: 0, after });
        names.push(...result.items.map((t) => `${t.owner}/${t.name}`));
        // Every page counts the whole list, wherever it starts.
        if (total !== undefined) expect(result.total).toBe(total);
        if (result.next === undefined) return names;
        // A full page, and the cursor is its last token's place.
        expect(result.items).toHaveLength(query.limit);
        expect(result.next).toEqual({
          createdAt: result.items.at(-1)?.createdAt,
          id: result.items.at(-1)?.id,
        });
        after = result.next;
        await between(page);
      }
      throw new Error('the pages never ended');
    };
    const everything = async (query: Omit<TokenQuery, 'limit' | 'offset'>) =>
      (await store.listTokens({ ...query, limit: -1, offset: 0 })).items.map((t) => `${t.owner}/${t.name}`);

    it('walks every page after a cursor, each token once and in order, with every filter', async () => {
      // Ties in creation time (several tokens a second) are ordered by id, so a page may end inside a tie.
      for (let i = 0; i < 23; i++) {
        const session = i % 4 === 0;
        await store.createToken(
          token(i % 5 === 0 ? bob.id : alice.id, `t${i}`, {
            createdAt: 100 + Math.floor(i / 3),
            expiresAt: i % 3 === 0 ? 1500 : 5000,
            ...(session && { type: 'SESSION', source: 'web' }),
          }),
        );
      }
      const filters: Omit<TokenQuery, 'limit' | 'offset'>[] = [
        { userId: alice.id, now: 2000 },
        { userId: alice.id, now: 2000, type: 'USER' },
        { userId: alice.id, now: 2000, status: 'active' },
        { userId: alice.id, now: 2000, status: 'expired', type: 'SESSION' },
        { now: 2000 },
        { now: 2000, type: 'SESSION', status: 'active' },
      ];
      for (const filter of filters) {
        const all = await everything(filter);
        for (const limit of [1, 4, 50])
          expect(await walk({ ...filter, limit, offset: 0 }, undefined, all.length)).toEqual(all);
        const { total, next } = await store.listTokens({ ...filter, limit: all.length, offset: 0 });
        expect(total).toBe(all.length);
        expect(next).toBeUndefined();
      }
      // A page asked for by offset says where the next one starts, too.
      const byOffset = await store.listTokens({ userId: alice.id, now: 2000, limit: 3, offset: 3 });
      const byCursor = await store.listTokens({
        userId: alice.id,
        now: 2000,
        limit: 3,
        offset: 0,
        after: byOffset.next,
      });
      expect(byCursor.items[0]?.name).toBe(
        (await everything({ userId: alice.id, now: 2000 }))[6]?.split('/')[1],
      );
    });

    it('neither repeats nor skips a token that stays while others come and go between pages', async () => {
      for (let i = 0; i < 30; i++)
        await store.createToken(token(alice.id, `t${i}`, { createdAt: 100 + (i % 10) }));
      const before = await everything({ userId: alice.id, now: 0 });
      const removed = new Set<string>();
      const seen = await walk({ userId: alice.id, now: 0, limit: 4, offset: 0 }, async (page) => {
        // Newer tokens land before the cursor, tokens as old as those seen land on either side of it by id.
        await store.createToken(token(alice.id, `new ${page}`, { createdAt: 200 + page }));
        await store.createToken(token(alice.id, `tie ${page}`, { createdAt: 100 + (page % 10) }));
        const doomed = await store.findToken(alice.id, `t${29 - page}`);
        if (doomed && (await store.deleteToken(doomed.id))) removed.add(`alice/${doomed.name}`);
      });
      expect(new Set(seen).size).toBe(seen.length);
      // In the order they had, and every one that was never deleted.
      expect(seen.filter((name) => before.includes(name))).toEqual(
        before.filter((name) => seen.includes(name)),
      );
      expect(before.filter((name) => !removed.has(name) && !seen.includes(name))).toEqual([]);
      expect(removed.size).toBeGreaterThan(3);
    });

    it('keeps totalCount exact through creates, deletes, session ends, cleanup and a deleted user', async () => {
      const check = async () => {
        for (const userId of [alice.id, bob.id, undefined])
          for (const type of [undefined, 'USER', 'SESSION'] as const)
            for (const status of [undefined, 'active', 'expired'] as const)
              for (const now of [0, 2500, 9999]) {
                const query = { userId, type, status, now };
                const { total } = await store.listTokens({ ...query, limit: 0, offset: 0 });
                expect({ query, total }).toEqual({ query, total: (await everything(query)).length });
              }
      };
      const session = (userId: number, name: string, expiresAt: number) =>
        token(userId, name, { type: 'SESSION', source: 'web', expiresAt });
      await check();
      for (let i = 0; i < 6; i++) {
        await store.createToken(token(alice.id, `api ${i}`, { expiresAt: 1000 * i }));
        await store.createToken(session(alice.id, `session ${i}`, 1000 * i));
        await store.createToken(session(bob.id, `session ${i}`, 1000 * i));
      }
      await check();
      const api = await store.findToken(alice.id, 'api 2');
      await store.deleteToken(api?.id ?? 0);
      await store.deleteToken(api?.id ?? 0);
      await check();
      await store.deleteExpiredSessionTokens(2000, 2);
      await check();
      const kept = await store.findToken(bob.id, 'session 5');
      await store.deleteSessionTokensOf(bob.id, kept?.id);
      await check();
      await store.deleteUser(alice.id);
      await check();
      // A new account takes no count from the deleted one.
      const again = await store.createUser({ ...alice, name: 'alice' });
      await store.createToken(token(again.id, 'fresh'));
      await check();
    });

    it('keeps repositories with unique names, their owners, and their items with content', async () => {
      const repo = await store.createRepository({
        name: 'Samples',
        description: 'd',
        ownerId: alice.id,
        createdAt: 5,
      });
      expect(repo).toMatchObject({ name: 'Samples', description: 'd', ownerId: alice.id, createdAt: 5 });
      await expect(
        store.createRepository({ name: 'Samples', description: '', ownerId: null, createdAt: 6 }),
      ).rejects.toBeInstanceOf(NameTakenError);
      await store.createRepository({ name: 'Other', description: '', ownerId: null, createdAt: 6 });
      expect((await store.listRepositories()).map((r) => r.name)).toEqual(['Other', 'Samples']);
      expect(await store.listOwnedRepositoryNames(alice.id)).toEqual(['Samples']);
      expect(await store.findRepository('Samples')).toEqual(repo);

      const bytes = new TextEncoder().encode('<workspace/>');
      const item = await store.createItem({
        repositoryId: repo.id,
        name: 'a.fmw',
        type: 'WORKSPACE',
        contentType: 'application/octet-stream',
        content: bytes,
        createdAt: 7,
      });
      expect(item).toMatchObject({ name: 'a.fmw', type: 'WORKSPACE', size: bytes.byteLength });
      await store.createItem({
        repositoryId: repo.id,
        name: 'b.txt',
        type: 'FILE',
        contentType: 'text/plain',
        content: bytes,
        createdAt: 8,
      });
      await expect(
        store.createItem({
          repositoryId: repo.id,
          name: 'a.fmw',
          type: 'WORKSPACE',
          contentType: 'x',
          content: bytes,
          createdAt: 9,
        }),
      ).rejects.toBeInstanceOf(NameTakenError);
      expect((await store.listItems(repo.id)).map((i) => i.name)).toEqual(['a.fmw', 'b.txt']);
      expect((await store.listItems(repo.id, 'WORKSPACE')).map((i) => i.name)).toEqual(['a.fmw']);
      expect(await store.findItem(repo.id, 'a.fmw')).toEqual(item);
      expect(Buffer.from((await store.readItemContent(item.id)) ?? []).toString()).toBe('<workspace/>');
      expect(await store.deleteItem(item.id)).toBe(true);
      expect(await store.findItem(repo.id, 'a.fmw')).toBeUndefined();

      // Deleting the owner keeps the repository; deleting the repository removes its items.
      await store.deleteUser(alice.id);
      expect((await store.findRepository('Samples'))?.ownerId).toBeNull();
      expect(await store.deleteRepository(repo.id)).toBe(true);
      expect(await store.listItems(repo.id)).toEqual([]);
    });

    it('counts sign-in failure streaks atomically, blocks, clears and forgets them', async () => {
      const hour = 3600_000;
      expect(await store.bumpSignInStreak('pair:a', 1000, hour)).toBe(1);
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, () => store.bumpSignInStreak('pair:a', 2000, hour)),
      );
      expect([...concurrent].sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(await store.signInBlockedUntil(['pair:a', 'client:x'])).toBe(0);
      await store.blockSignIn('pair:a', 9000);
      await store.bumpSignInStreak('client:x', 2000, hour);
      await store.blockSignIn('client:x', 12000);
      expect(await store.signInBlockedUntil(['pair:a', 'client:x'])).toBe(12000);
      expect(await store.signInBlockedUntil([])).toBe(0);
      // After an hour of quiet a streak starts again.
      expect(await store.bumpSignInStreak('pair:a', 2000 + hour + 1, hour)).toBe(1);
      await store.clearSignInStreak('pair:a');
      await store.clearSignInStreak('pair:never');
      expect(await store.signInBlockedUntil(['pair:a'])).toBe(0);
    });

    it('counts requests in fixed windows atomically, starts a new one after, and prunes ended ones', async () => {
      const minute = 60_000;
      expect(await store.countRequest('reports 192.0.2.1', 1000, minute)).toEqual({
        count: 1,
        endsAtMs: 61_000,
      });
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, () => store.countRequest('reports 192.0.2.1', 30_000, minute)),
      );
      expect(concurrent.map((counted) => counted.count).sort((x, y) => x - y)).toEqual([
        2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
      ]);
      expect(new Set(concurrent.map((counted) => counted.endsAtMs))).toEqual(new Set([61_000]));
      // Each key its own window; at its end, a new window.
      expect(await store.countRequest('reports 192.0.2.2', 30_000, minute)).toEqual({
        count: 1,
        endsAtMs: 90_000,
      });
      expect(await store.countRequest('reports 192.0.2.1', 61_000, minute)).toEqual({
        count: 1,
        endsAtMs: 121_000,
      });
      expect(await store.pruneRequestWindows(100_000)).toBe(1);
      expect(await store.countRequest('reports 192.0.2.1', 62_000, minute)).toEqual({
        count: 2,
        endsAtMs: 121_000,
      });
    });

    it('keeps account failures by time, newest first, and prunes old ones', async () => {
      for (const at of [100, 200, 300, 400]) await store.addAccountFailure('alice', at);
      await store.addAccountFailure('bob', 250);
      expect(await store.accountFailuresSince('alice', 150, 10)).toEqual([400, 300, 200]);
      expect(await store.accountFailuresSince('alice', 0, 2)).toEqual([400, 300]);
      await store.bumpSignInStreak('pair:old', 100, 3600_000);
      expect(await store.pruneSignInFailures(260)).toBe(4);
      expect(await store.accountFailuresSince('alice', 0, 10)).toEqual([400, 300]);
      expect(await store.accountFailuresSince('bob', 0, 10)).toEqual([]);
    });

    it('remembers when a client last signed in, keeps the latest time, and forgets old ones', async () => {
      expect(await store.signInClientLastSuccess('known:a')).toBeUndefined();
      await store.rememberSignInClient('known:a', 5000);
      await store.rememberSignInClient('known:a', 4000);
      expect(await store.signInClientLastSuccess('known:a')).toBe(5000);
      await store.rememberSignInClient('known:a', 7000);
      await store.rememberSignInClient('known:b', 1000);
      expect(await store.signInClientLastSuccess('known:a')).toBe(7000);
      expect(await store.forgetSignInClients(2000)).toBe(1);
      expect(await store.signInClientLastSuccess('known:b')).toBeUndefined();
      expect(await store.signInClientLastSuccess('known:a')).toBe(7000);
    });

    it("keeps the audit trail by account id: a new account under a deleted one's name sees none of it", async () => {
      const event = (ownerId: number, owner: string, tokenName: string) => ({
        at: 100,
        event: 'created' as const,
        ownerId,
        owner,
        tokenName,
        tokenType: 'USER' as const,
        actor: owner,
        client: null,
        reason: null,
      });
      await store.recordAuditEvents([event(alice.id, 'alice', 'a1'), event(bob.id, 'bob', 'b1')]);
      await store.recordAuditEvents([event(alice.id, 'alice', 'a2')]);
      const ofAlice = await store.listAuditEvents({ ownerId: alice.id, limit: 10, offset: 0 });
      expect(ofAlice.total).toBe(2);
      expect(ofAlice.items.map((e) => [e.tokenName, e.ownerId, e.owner])).toEqual([
        ['a2', alice.id, 'alice'],
        ['a1', alice.id, 'alice'],
      ]);

      await store.deleteUser(alice.id);
      // An event recorded after its account went (written off the request path) is kept, unowned.
      await store.recordAuditEvents([event(alice.id, 'alice', 'late')]);
      const again = await store.createUser({
        name: 'alice',
        passwordHash: 'h3',
        roles: [],
        enabled: true,
        createdAt: 200,
      });
      expect(await store.listAuditEvents({ ownerId: again.id, limit: 10, offset: 0 })).toEqual({
        items: [],
        total: 0,
      });
      const all = await store.listAuditEvents({ limit: -1, offset: 0 });
      expect(all.items.map((e) => [e.tokenName, e.ownerId])).toEqual([
        ['late', null],
        ['a2', null],
        ['b1', bob.id],
        ['a1', null],
      ]);
    });

    it('runs an exclusive task once at a time', async () => {
      let release: () => void = () => {};
      let started: () => void = () => {};
      const running = new Promise<void>((resolve) => (started = resolve));
      const first = store.runExclusive('job', () => {
        started();
        return new Promise<string>((resolve) => (release = () => resolve('first')));
      });
      await running;
      expect(await store.runExclusive('job', async () => 'second')).toBeUndefined();
      expect(await store.runExclusive('other job', async () => 'other')).toBe('other');
      release();
      expect(await first).toBe('first');
      expect(await store.runExclusive('job', async () => 'third')).toBe('third');
    });

    it('finds nothing, and fails nothing, for names holding a NUL character', async () => {
      const nul = 'ali\u0000ce';
      expect(await store.findUserByName(nul)).toBeUndefined();
      expect(await store.findToken(alice.id, nul)).toBeUndefined();
      expect(await store.findRepository(nul)).toBeUndefined();
      expect(await store.findTokenByDigest(nul)).toBeUndefined();
      expect(await store.listAuditEvents({ tokenName: nul, limit: 10, offset: 0 })).toEqual({
        items: [],
        total: 0,
      });
    });

    it('records many last uses in one go, never moving one backwards', async () => {
      const a = await store.createToken(token(alice.id, 'a'));
      const b = await store.createToken(token(alice.id, 'b'));
      await store.markTokensUsed([{ id: b.id, at: 900 }]);
      await store.markTokensUsed([
        { id: a.id, at: 700 },
        { id: b.id, at: 800 },
      ]);
      expect((await store.findToken(alice.id, 'a'))?.lastUsedAt).toBe(700);
      expect((await store.findToken(alice.id, 'b'))?.lastUsedAt).toBe(900);
      await store.markTokensUsed([]);
    });

    it('records the last use and never moves it backwards', async () => {
      const created = await store.createToken(token(alice.id, 't'));
      await store.markTokensUsed([{ id: created.id, at: 1200 }]);
      expect((await store.findToken(alice.id, 't'))?.lastUsedAt).toBe(1200);
      await store.markTokensUsed([{ id: created.id, at: 1100 }]);
      expect((await store.findToken(alice.id, 't'))?.lastUsedAt).toBe(1200);
    });

    describe('where a token was used', () => {
      const CHROME =
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
      const newAddressEvents = async () =>
        (await store.listAuditEvents({ ownerId: alice.id, limit: -1, offset: 0 })).items
          .filter((event) => event.event === 'used_from_new_address')
          .map(({ at, tokenName, client, reason }) => ({ at, tokenName, client, reason }));

      it('writes the address block and client family with the time, in the same write', async () => {
        const t = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([
          { id: t.id, at: 1200, address: '2001:db8:1:2:aaaa:bbbb:cccc:dddd', userAgent: CHROME },
        ]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1200,
          lastUsedAddress: '2001:db8:1:2::/64',
          lastUsedClient: 'Chrome',
        });
        // An older use moves neither the time nor where it came from.
        await store.markTokensUsed([
          { id: t.id, at: 1100, address: '198.51.100.9', userAgent: 'curl/8.5.0' },
        ]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1200,
          lastUsedAddress: '2001:db8:1:2::/64',
          lastUsedClient: 'Chrome',
        });
        // A use from elsewhere in the same second does.
        await store.markTokensUsed([
          { id: t.id, at: 1200, address: '::ffff:198.51.100.9', userAgent: 'curl/8.5.0' },
        ]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1200,
          lastUsedAddress: '198.51.100.9',
          lastUsedClient: 'curl',
        });
        // A use that does not say where it came from keeps the last place known.
        await store.markTokensUsed([{ id: t.id, at: 1300 }]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1300,
          lastUsedAddress: '198.51.100.9',
          lastUsedClient: 'curl',
        });
        const [listed] = (await store.listTokens({ userId: alice.id, now: 1000, limit: -1, offset: 0 }))
          .items;
        expect(listed).toMatchObject({ lastUsedAddress: '198.51.100.9', lastUsedClient: 'curl' });
        expect(await store.listTokenAddresses(t.id)).toEqual([
          { address: '198.51.100.9', firstUsedAt: 1100 },
          { address: '2001:db8:1:2::/64', firstUsedAt: 1200 },
        ]);
      });

      it('keeps the places a copied token was used from as they were described, announcing none', async () => {
        const t = await store.createToken({ ...token(alice.id, 'copied'), exposedAt: 900 });
        await store.markTokensUsed([
          { id: t.id, at: 1000, copied: { address: '203.0.113.7', client: null } },
          { id: t.id, at: 1100, copied: { address: '2001:db8:1:2::/64', client: null } },
          { id: t.id, at: 1200, copied: { address: '203.0.113.7', client: 'curl' } },
        ]);
        expect(await store.listTokenAddresses(t.id)).toEqual([
          { address: '203.0.113.7', firstUsedAt: 1000 },
          { address: '2001:db8:1:2::/64', firstUsedAt: 1100 },
        ]);
        expect(await store.findToken(alice.id, 'copied')).toMatchObject({
          exposedAt: 900,
          lastUsedAt: 1200,
          lastUsedAddress: '203.0.113.7',
          lastUsedClient: 'curl',
        });
        expect(await newAddressEvents()).toEqual([]);
        expect(await store.listTokenAddresses(t.id + 1_000)).toEqual([]);
      });

      it("announces an API token's first use from a new address, not a session's (its sign-in says where)", async () => {
        const api = await store.createToken(token(alice.id, 'api'));
        const session = await store.createToken(token(alice.id, 'web', { type: 'SESSION', source: 'web' }));
        await store.markTokensUsed([
          { id: api.id, at: 1200, address: '203.0.113.7', userAgent: 'curl/8.5.0' },
          { id: session.id, at: 1200, address: '203.0.113.8', userAgent: CHROME },
        ]);
        expect(await newAddressEvents()).toEqual([
          { at: 1200, tokenName: 'api', client: '203.0.113.7', reason: 'curl' },
        ]);
        // The session still says where it was last used.
        expect(await store.findToken(alice.id, 'web')).toMatchObject({ lastUsedAddress: '203.0.113.8' });
      });

      it('keeps the latest use of each token of a batch, with its own address', async () => {
        const a = await store.createToken(token(alice.id, 'a'));
        const b = await store.createToken(token(alice.id, 'b'));
        await store.markTokensUsed([
          { id: a.id, at: 1300, address: '203.0.113.1', userAgent: 'curl/8.5.0' },
          { id: b.id, at: 1250, address: '203.0.113.2', userAgent: 'python-requests/2.32.3' },
          { id: a.id, at: 1200, address: '203.0.113.3', userAgent: 'Wget/1.21' },
        ]);
        expect(await store.findToken(alice.id, 'a')).toMatchObject({
          lastUsedAt: 1300,
          lastUsedAddress: '203.0.113.1',
          lastUsedClient: 'curl',
        });
        expect(await store.findToken(alice.id, 'b')).toMatchObject({
          lastUsedAt: 1250,
          lastUsedAddress: '203.0.113.2',
          lastUsedClient: 'Python requests',
        });
      });

      it('records the first use from each new address block once, in the audit trail', async () => {
        const t = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([{ id: t.id, at: 1200, address: '2001:db8:1:2::7', userAgent: CHROME }]);
        // The same /64, and the same block again: nothing new.
        await store.markTokensUsed([
          { id: t.id, at: 1260, address: '2001:db8:1:2::8', userAgent: 'curl/8.5.0' },
        ]);
        await store.markTokensUsed([{ id: t.id, at: 1320, address: '2001:db8:1:2::7', userAgent: CHROME }]);
        await store.markTokensUsed([{ id: t.id, at: 1380, address: '203.0.113.5', userAgent: 'curl/8.5.0' }]);
        // No address, and an older use from a new one: the older use is no last use, but a first use all the same.
        await store.markTokensUsed([{ id: t.id, at: 1440 }]);
        await store.markTokensUsed([{ id: t.id, at: 1000, address: '203.0.113.6', userAgent: 'curl/8.5.0' }]);
        expect(await newAddressEvents()).toEqual(
          expect.arrayContaining([
            { at: 1200, tokenName: 't', client: '2001:db8:1:2::/64', reason: 'Chrome' },
            { at: 1380, tokenName: 't', client: '203.0.113.5', reason: 'curl' },
            { at: 1000, tokenName: 't', client: '203.0.113.6', reason: 'curl' },
          ]),
        );
        expect(await newAddressEvents()).toHaveLength(3);
      });

      it('records every new address of a batch, its earliest use from each, and keeps the latest as the last use', async () => {
        const t = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([
          { id: t.id, at: 1210, address: '203.0.113.1', userAgent: 'curl/8.5.0' },
          { id: t.id, at: 1230, address: '203.0.113.2', userAgent: CHROME },
          { id: t.id, at: 1200, address: '203.0.113.1', userAgent: 'Wget/1.21' },
        ]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1230,
          lastUsedAddress: '203.0.113.2',
          lastUsedClient: 'Chrome',
        });
        expect(await newAddressEvents()).toEqual(
          expect.arrayContaining([
            { at: 1200, tokenName: 't', client: '203.0.113.1', reason: 'wget' },
            { at: 1230, tokenName: 't', client: '203.0.113.2', reason: 'Chrome' },
          ]),
        );
        expect(await newAddressEvents()).toHaveLength(2);
      });

      it('keeps a copied last use as it was described, without announcing it', async () => {
        const t = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([
          { id: t.id, at: 1200, copied: { address: '2001:db8:1:2::/64', client: 'Python requests' } },
        ]);
        expect(await store.findToken(alice.id, 't')).toMatchObject({
          lastUsedAt: 1200,
          lastUsedAddress: '2001:db8:1:2::/64',
          lastUsedClient: 'Python requests',
        });
        // Known from the copy: a use from there is no first use.
        await store.markTokensUsed([
          { id: t.id, at: 1300, address: '2001:db8:1:2::9', userAgent: 'curl/8.5.0' },
        ]);
        expect(await newAddressEvents()).toEqual([]);
      });

      it("forgets a removed token's addresses, and writes nothing for a token gone before its use", async () => {
        const t = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([{ id: t.id, at: 1200, address: '203.0.113.5', userAgent: 'curl/8.5.0' }]);
        await store.deleteToken(t.id);
        await store.markTokensUsed([{ id: t.id, at: 1300, address: '203.0.113.7', userAgent: 'curl/8.5.0' }]);
        const again = await store.createToken(token(alice.id, 't'));
        await store.markTokensUsed([
          { id: again.id, at: 1400, address: '203.0.113.5', userAgent: 'curl/8.5.0' },
        ]);
        expect(await newAddressEvents()).toEqual(
          expect.arrayContaining([
            { at: 1200, tokenName: 't', client: '203.0.113.5', reason: 'curl' },
            { at: 1400, tokenName: 't', client: '203.0.113.5', reason: 'curl' },
          ]),
        );
        expect(await newAddressEvents()).toHaveLength(2);
      });
    });

    describe('leases', () => {
      let leaseCounter = 0;
      const lease = (parentId: number, userId: number, overrides: Partial<NewLease> = {}): NewLease => ({
        parentId,
        userId,
        digest: `lease-${++leaseCounter}`,
        createdAt: 1000,
        expiresAt: 1900,
        ...overrides,
      });
      const mint = (owner = alice) => ({ owner, maxLive: 50 });
      const live = async (parentId: number, now = 1000) => (await store.leaseSummary(parentId, now)).live;

      it('stores a lease, finds it by digest with its parent’s digest, and sums up the parent’s leases', async () => {
        const parent = await store.createToken(token(alice.id, 'parent'));
        const { lease: created, ended } = await store.createLease(lease(parent.id, alice.id), mint());
        expect(ended).toBe(0);
        expect(created).toMatchObject({
          parentId: parent.id,
          userId: alice.id,
          expiresAt: 1900,
          lastUsedAt: null,
        });
        expect(await store.findLeaseByDigest(created.digest)).toEqual({
          lease: created,
          parentDigest: parent.digest,
        });
        expect(await store.findLeaseByDigest('no such digest')).toBeUndefined();
        // A lease is not a token.
        expect(await store.findTokenByDigest(created.digest)).toBeUndefined();
        expect((await store.listTokens({ userId: alice.id, now: 0, limit: -1, offset: 0 })).total).toBe(1);
        await store.markLeasesUsed([{ id: created.id, at: 1500 }]);
        await store.markLeasesUsed([{ id: created.id, at: 1400 }]);
        expect(await store.leaseSummary(parent.id, 1000)).toEqual({ live: 1, lastUsedAt: 1500 });
        expect(await store.leaseSummary(parent.id, 1900)).toEqual({ live: 0, lastUsedAt: 1500 });
      });

      it('keeps at most maxLive live leases per parent, exactly under a burst, ending the oldest', async () => {
        const parent = await store.createToken(token(alice.id, 'parent'));
        const first = await store.createLease(lease(parent.id, alice.id, { createdAt: 900 }), {
          owner: alice,
          maxLive: 3,
        });
        const burst = await Promise.all(
          Array.from({ length: 8 }, () =>
            store.createLease(lease(parent.id, alice.id), { owner: alice, maxLive: 3 }),
          ),
        );
        expect(await live(parent.id)).toBe(3);
        expect(burst.reduce((sum, created) => sum + created.ended, 0)).toBe(6);
        expect(await store.findLeaseByDigest(first.lease.digest)).toBeUndefined();
        // Expired leases neither count nor stay.
        const other = await store.createToken(token(alice.id, 'other'));
        await store.createLease(lease(other.id, alice.id, { expiresAt: 1001 }), { owner: alice, maxLive: 1 });
        const later = await store.createLease(
          lease(other.id, alice.id, { createdAt: 1001, expiresAt: 2000 }),
          {
            owner: alice,
            maxLive: 1,
          },
        );
        expect(later.ended).toBe(0);
        expect(await live(other.id, 1001)).toBe(1);
      });

      it('mints only from an enabled, unexpired API token of an owner still as the request saw them', async () => {
        const parent = await store.createToken(token(alice.id, 'parent'));
        await expect(
          store.createLease(lease(parent.id, alice.id), mint({ ...alice, passwordHash: 'old' })),
        ).rejects.toBeInstanceOf(AccountChangedError);
        await expect(store.createLease(lease(parent.id, bob.id), mint(bob))).rejects.toBeInstanceOf(
          AccountChangedError,
        );
        await expect(
          store.createLease(lease(parent.id, alice.id, { createdAt: 5000 }), mint()),
        ).rejects.toBeInstanceOf(LeaseParentError);
        const off = await store.createToken(token(alice.id, 'off', { enabled: false }));
        await expect(store.createLease(lease(off.id, alice.id), mint())).rejects.toBeInstanceOf(
          LeaseParentError,
        );
        const session = await store.createToken(
          token(alice.id, 'session', { type: 'SESSION', source: 'web' }),
        );
        await expect(store.createLease(lease(session.id, alice.id), mint())).rejects.toBeInstanceOf(
          TokenNotFoundError,
        );
        await expect(store.createLease(lease(99999, alice.id), mint())).rejects.toBeInstanceOf(
          TokenNotFoundError,
        );
      });

      it('ends a parent’s leases when it is disabled, narrowed or removed, or they are ended; not on other edits', async () => {
        const parent = await store.createToken(token(alice.id, 'parent'));
        const refill = async () => {
          await store.createLease(lease(parent.id, alice.id), mint());
          expect(await live(parent.id)).toBeGreaterThan(0);
        };
        await refill();
        await store.updateToken(parent.id, { description: 'edited', enabled: true, expiresAt: 4000 });
        expect(await live(parent.id)).toBe(1);
        await store.updateToken(parent.id, { enabled: false });
        expect(await live(parent.id)).toBe(0);
        await store.updateToken(parent.id, { enabled: true });
        await refill();
        await store.updateToken(parent.id, { restricted: true, permissions: ['repositories:access'] });
        expect(await live(parent.id)).toBe(0);
        await refill();
        expect(await store.endLeases(parent.id)).toBe(1);
        expect(await live(parent.id)).toBe(0);
        await refill();
        await store.deleteToken(parent.id);
        expect(await live(parent.id)).toBe(0);
      });

      it('disables and marks exposed the reported tokens, ends the reported leases, and audits each, in one write', async () => {
        const leaked = await store.createToken(token(alice.id, 'leaked'));
        const parent = await store.createToken(token(alice.id, 'parent'));
        const child = await store.createLease(lease(parent.id, alice.id), mint());
        const ofLeaked = await store.createLease(lease(leaked.id, alice.id), mint());
        const report = await store.reportExposed(
          [leaked.digest, child.lease.digest, 'unknown'],
          1200,
          (t, isLease) => ({
            at: 1200,
            event: 'exposed',
            ownerId: t.userId,
            owner: t.owner,
            tokenName: t.name,
            tokenType: t.type,
            actor: null,
            client: null,
            reason: isLease ? 'lease' : null,
          }),
        );
        expect(report.tokens.map((t) => t.id)).toEqual([leaked.id]);
        expect(report.leaseParents).toEqual([parent.id]);
        expect(await store.findToken(alice.id, 'leaked')).toMatchObject({ enabled: false, exposedAt: 1200 });
        expect(await store.findToken(alice.id, 'parent')).toMatchObject({ enabled: true, exposedAt: null });
        expect(await store.findLeaseByDigest(child.lease.digest)).toBeUndefined();
        expect(await store.findLeaseByDigest(ofLeaked.lease.digest)).toBeUndefined();
        const events = await store.listAuditEvents({ ownerId: alice.id, limit: 10, offset: 0 });
        expect(events.items.map((e) => [e.tokenName, e.reason]).sort()).toEqual([
          ['leaked', null],
          ['parent', 'lease'],
        ]);
      });

      it('ends every lease of an account when the account changes or goes', async () => {
        const parent = await store.createToken(token(alice.id, 'parent'));
        const other = await store.createToken(token(alice.id, 'other'));
        for (const change of [{ roles: ['fmeguest'] }, { passwordHash: 'h3' }, { enabled: false }]) {
          const owner = (await store.findUserByName('alice')) ?? alice;
          if (!owner.enabled) await store.updateUser(owner.id, { enabled: true });
          const now = (await store.findUserByName('alice')) ?? alice;
          await store.createLease(lease(parent.id, alice.id), mint(now));
          await store.createLease(lease(other.id, alice.id), mint(now));
          await store.updateUser(alice.id, change);
          expect((await live(parent.id)) + (await live(other.id)), JSON.stringify(change)).toBe(0);
        }
        await store.updateUser(alice.id, { enabled: true });
        const created = await store.createLease(
          lease(parent.id, alice.id),
          mint((await store.findUserByName('alice')) ?? alice),
        );
        await store.deleteUser(alice.id);
        expect(await store.findLeaseByDigest(created.lease.digest)).toBeUndefined();
      });
    });
  });
}
