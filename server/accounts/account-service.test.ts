// The account rules, called directly: who may change what, and the changes no one may make to themselves.
import { beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/fixtures/test-app';
import { createAuthorizer } from '../auth/authorize';
import { createPasswordHasher } from '../auth/password';
import { createPasswordSignIn } from '../auth/password-sign-in';
import { createSignInLimiter } from '../auth/sign-in-limiter';
import { ApiError } from '../errors';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store, UserRecord } from '../store/store';
import { type AccountService, createAccountService } from './account-service';

/** The status and code an account rule refused with, or 'allowed'. */
async function outcome(change: Promise<unknown>): Promise<string> {
  try {
    await change;
    return 'allowed';
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('account service', () => {
  let store: Store;
  let accounts: AccountService;
  let admin: UserRecord;
  let alice: UserRecord;
  const client = () => '127.0.0.1';

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    const clock = createManualClock();
    const passwords = createPasswordHasher();
    const signIn = createPasswordSignIn({ store, passwords, signIns: createSignInLimiter(store, clock) });
    accounts = createAccountService({ store, clock, passwords, signIn, authorizer: createAuthorizer(store) });
    const hash = await passwords.hash('alice password');
    admin = await store.createUser({
      name: 'admin',
      passwordHash: hash,
      roles: ['fmeadmin'],
      enabled: true,
      createdAt: 0,
    });
    alice = await store.createUser({
      name: 'alice',
      passwordHash: hash,
      roles: ['fmeuser'],
      enabled: true,
      createdAt: 0,
    });
  });

  it('lets a user change their own password only with the current one, and nothing else of theirs', async () => {
    const self = { user: alice };
    expect(await outcome(accounts.update(self, 'alice', { password: 'a new password' }, client))).toBe(
      '422 VALIDATION_FAILED',
    );
    expect(await outcome(accounts.update(self, 'alice', { roles: ['fmesuperuser'] }, client))).toBe(
      '403 FORBIDDEN',
    );
    expect(
      await outcome(
        accounts.update(
          self,
          'alice',
          { password: 'a new password', currentPassword: 'alice password' },
          client,
        ),
      ),
    ).toBe('allowed');
    expect((await store.findUserByName('alice'))?.passwordHash).not.toBe(alice.passwordHash);
  });

  it('lets a manager change others but never disable or delete their own account', async () => {
    const manager = { user: admin };
    expect(await outcome(accounts.update(manager, 'admin', { enabled: false }, client))).toBe('409 CONFLICT');
    expect(await outcome(accounts.remove(manager, 'admin'))).toBe('409 CONFLICT');
    expect(await outcome(accounts.get({ user: alice }, 'admin'))).toBe('403 FORBIDDEN');
    expect(await outcome(accounts.remove(manager, 'alice'))).toBe('allowed');
    expect(await outcome(accounts.get(manager, 'alice'))).toBe('404 NOT_FOUND');
  });
});
