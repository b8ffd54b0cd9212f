// What a token create reads besides the write itself: the owner's repositories only where a permission needs them.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../shared/schemas/error';
import {
  adminBasic,
  createTestApp,
  createTokenInApp,
  fmetoken,
  jsonInit,
} from '../../test/fixtures/test-app';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';

/** A real SQLite store that counts how often the owner's repositories are read. */
function countingRepositoryReads() {
  const store = openSqliteStore(':memory:');
  let reads = 0;
  const counted: Store = {
    ...store,
    listOwnedRepositoryNames: (userId) => {
      reads++;
      return store.listOwnedRepositoryNames(userId);
    },
  };
  return { store: counted, reads: () => reads };
}

describe('creating a token', () => {
  it('reads none of the owner’s repositories for an unrestricted token, whatever the credential', async () => {
    const counted = countingRepositoryReads();
    const t = await createTestApp({ store: counted.store });
    const value = await createTokenInApp(t.app, adminBasic, { name: 'full' });
    const before = counted.reads();
    await createTokenInApp(t.app, adminBasic, { name: 'with a password' });
    await createTokenInApp(t.app, fmetoken(value), { name: 'with a token' });
    expect(counted.reads()).toBe(before);
  });

  it('still checks a restricted token’s permissions against the owner’s, repositories included', async () => {
    const counted = countingRepositoryReads();
    const t = await createTestApp({ store: counted.store });
    await t.addUser('author', 'author password', ['fmeauthor']);
    const author = `Basic ${Buffer.from('author:author password').toString('base64')}`;
    const repository = await t.app.request(
      '/fmerest/v3/repositories',
      jsonInit('POST', author, { name: 'mine' }),
    );
    expect(repository.status).toBe(201);
    const before = counted.reads();
    await createTokenInApp(t.app, author, {
      name: 'my repository',
      restricted: true,
      permissions: ['repository/mine:read', 'repositories:access'],
    });
    expect(counted.reads()).toBeGreaterThan(before);
    const refused = await t.app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', author, {
        name: 'beyond the owner',
        restricted: true,
        permissions: ['usermanagement:manage'],
      }),
    );
    expect(refused.status).toBe(403);
    expect(v.parse(ErrorBodySchema, await refused.json()).code).toBe('FORBIDDEN');
  });
});
