// The SQLite store on a filesystem that really fills up: a tmpfs mounted for the test (needs root, else skipped).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mountTmpfs } from '../../test/fixtures/tmpfs';
import { openSqliteStore } from './sqlite-store';
import { StoreUnavailableError } from './store';

describe('SQLite store on a full disk', () => {
  it('resolves a write only once it is committed, refuses the rest as unavailable, and recovers', async (ctx) => {
    const disk = mountTmpfs('1m');
    if ('unavailable' in disk) {
      console.warn(`full-disk store test SKIPPED: ${disk.unavailable}`);
      return ctx.skip();
    }
    try {
      const path = join(disk.dir, 'tokenward.sqlite');
      let store = openSqliteStore(path);
      const owner = await store.createUser({
        name: 'o',
        passwordHash: 'h',
        roles: [],
        enabled: true,
        createdAt: 1,
      });
      const repository = await store.createRepository({
        name: 'r',
        description: '',
        ownerId: null,
        createdAt: 1,
      });
      const acknowledged = { users: 1, tokens: 0, repositories: 1, items: 0, failures: 0 };
      let refused = 0;
      const attempt = async (write: () => Promise<unknown>, kind: keyof typeof acknowledged) => {
        // Five writes a round: stop at the 50th refusal, wherever in the round it falls.
        if (refused === 50) return;
        try {
          await write();
          acknowledged[kind]++;
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          refused++;
        }
      };
      for (let i = 0; refused < 50 && i < 1000; i++) {
        const text = `${i}`.padEnd(2000, '.');
        await attempt(
          () =>
            store.createUser({ name: `u${i}`, passwordHash: text, roles: [], enabled: true, createdAt: 1 }),
          'users',
        );
        await attempt(
          () =>
            store.createToken({
              userId: owner.id,
              name: `t${i}`,
              description: text,
              type: 'USER',
              source: 'api',
              digest: `d${i}`,
              enabled: true,
              restricted: false,
              permissions: [],
              createdAt: 1,
              savedAt: 1,
              expiresAt: 2,
            }),
          'tokens',
        );
        await attempt(
          () => store.createRepository({ name: `r${i}`, description: text, ownerId: null, createdAt: 1 }),
          'repositories',
        );
        await attempt(
          () =>
            store.createItem({
              repositoryId: repository.id,
              name: `i${i}`,
              type: 'FILE',
              contentType: 'text/plain',
              content: new TextEncoder().encode(text),
              createdAt: 1,
            }),
          'items',
        );
        await attempt(() => store.bumpSignInStreak(`key ${text}`.slice(0, 600), 1, 1000), 'failures');
      }
      // A round's smaller writes may still fit after a larger one was refused: at least 50, all refused cleanly.
      expect(refused).toBeGreaterThanOrEqual(50);
      disk.resize('8m');
      await store.createUser({ name: 'after', passwordHash: 'h', roles: [], enabled: true, createdAt: 1 });
      await store.close();

      store = openSqliteStore(path);
      const db = new Database(path, { readonly: true });
      const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      expect({
        users: count('users'),
        tokens: count('tokens'),
        repositories: count('repositories'),
        items: count('items'),
        failures: count('sign_in_streaks'),
      }).toEqual({ ...acknowledged, users: acknowledged.users + 1 });
      db.close();
      await store.close();
    } finally {
      disk.unmount();
    }
  });
});
