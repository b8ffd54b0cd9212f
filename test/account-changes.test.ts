// Account changes over HTTP: a restricted token never makes an administrator, and the last
// account able to manage users keeps that ability.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, adminBasic, basic, fmetoken, jsonInit } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.stop());

const call = (method: string, path: string, authorization: string, body?: unknown) =>
  fetch(`${server.baseUrl}/fmerest/v3/security${path}`, jsonInit(method, authorization, body));

async function signIn(user: string, password: string): Promise<string> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/login`, {
    method: 'POST',
    headers: { Authorization: basic(user, password) },
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  return fmetoken(token);
}

describe('a restricted token holding usermanagement:manage', () => {
  let narrow: string;
  beforeEach(async () => {
    await server.app.addUser('second', 'second admin password', ['fmeadmin']);
    narrow = fmetoken(
      await createTokenOverHttp(server.baseUrl, adminBasic, {
        name: 'user admin only',
        restricted: true,
        permissions: ['usermanagement:access', 'usermanagement:manage'],
      }),
    );
  });

  it('cannot create an administrator, change roles, passwords or switches, or delete an account', async () => {
    const created = await call('POST', '/accounts', narrow, {
      name: 'mallory',
      password: 'mallory password',
      roles: ['fmeadmin'],
    });
    expect(created.status).toBe(403);
    expect((await call('PUT', '/accounts/second', narrow, { password: 'taken over!' })).status).toBe(403);
    expect((await call('PUT', '/accounts/second', narrow, { roles: ['fmeguest'] })).status).toBe(403);
    expect((await call('PUT', '/accounts/second', narrow, { enabled: false })).status).toBe(403);
    expect((await call('DELETE', '/accounts/second', narrow)).status).toBe(403);

    // Nothing changed: no mallory, and the other administrator still signs in with their own password.
    expect((await call('GET', '/accounts/mallory', adminBasic)).status).toBe(404);
    expect((await call('GET', '/accounts/second', basic('second', 'second admin password'))).status).toBe(
      200,
    );
  });

  it('may still read accounts, which is what it was given', async () => {
    expect((await call('GET', '/accounts', narrow)).status).toBe(200);
  });

  it('leaves account changes to the password, a session and an unrestricted token', async () => {
    const session = await signIn('admin', ADMIN_PASSWORD);
    const unrestricted = fmetoken(await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'all' }));
    for (const [i, credential] of [adminBasic, session, unrestricted].entries()) {
      const res = await call('POST', '/accounts', credential, { name: `user${i}`, password: 'a password' });
      expect(res.status).toBe(201);
    }
  });
});

describe('the last account that can manage users', () => {
  it('cannot lose that by a role change, even its own, nor be disabled or deleted', async () => {
    await server.app.addUser('helper', 'helper password', ['fmeadmin']);
    const helper = basic('helper', 'helper password');
    // While two administrators exist, one may step down.
    expect((await call('PUT', '/accounts/helper', helper, { roles: ['fmeuser'] })).status).toBe(204);

    const ownRoles = await call('PUT', '/accounts/admin', adminBasic, { roles: ['fmeuser'] });
    expect(ownRoles.status).toBe(409);
    expect(((await ownRoles.json()) as { code: string }).code).toBe('CONFLICT');

    // A second administrator who is disabled does not count.
    await server.app.addUser('dormant', 'dormant password', ['fmeadmin']);
    expect((await call('PUT', '/accounts/dormant', adminBasic, { enabled: false })).status).toBe(204);
    expect((await call('PUT', '/accounts/admin', adminBasic, { roles: ['fmeauthor'] })).status).toBe(409);

    // Given a colleague, admin may be demoted, and then the colleague is the last one.
    expect((await call('PUT', '/accounts/helper', adminBasic, { roles: ['fmeadmin'] })).status).toBe(204);
    expect((await call('PUT', '/accounts/admin', helper, { roles: ['fmeuser'] })).status).toBe(204);
    expect((await call('PUT', '/accounts/helper', helper, { roles: [] })).status).toBe(409);
    expect((await call('PUT', '/accounts/helper', helper, { enabled: false })).status).toBe(409);

    const me = await fetch(`${server.baseUrl}/fmerest/v3/security/me`, {
      headers: { Authorization: helper },
    });
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(['fmeadmin']);
  });

  it('cannot be disabled or deleted by another account that manages users through a role change', async () => {
    await server.app.addUser('helper', 'helper password', ['fmeadmin']);
    const helper = basic('helper', 'helper password');
    expect((await call('PUT', '/accounts/admin', helper, { roles: ['fmeuser'] })).status).toBe(204);
    // helper is now the last; admin (no longer a manager) cannot act, and helper cannot remove itself.
    expect((await call('DELETE', '/accounts/helper', adminBasic)).status).toBe(403);
    expect((await call('DELETE', '/accounts/helper', helper)).status).toBe(409);
    // With a second manager again, deleting one is fine.
    expect((await call('PUT', '/accounts/admin', helper, { roles: ['fmeadmin'] })).status).toBe(204);
    expect((await call('DELETE', '/accounts/helper', adminBasic)).status).toBe(204);
    expect((await call('PUT', '/accounts/admin', adminBasic, { enabled: false })).status).toBe(409);
  });

  it('keeps a manager when two administrators demote each other at the same moment', async () => {
    await server.app.addUser('helper', 'helper password', ['fmeadmin']);
    // Signed in first: both demotions are then authenticated from the token cache at once, not after an
    // argon2 check each, so they meet in the store.
    const admin = await signIn('admin', ADMIN_PASSWORD);
    const helper = await signIn('helper', 'helper password');
    const answers = await Promise.all([
      call('PUT', '/accounts/helper', admin, { roles: ['fmeuser'] }),
      call('PUT', '/accounts/admin', helper, { roles: ['fmeuser'] }),
    ]);
    // One wins. The other is refused by the store's rule (409) if both were let in; or, if the winner's change
    // reached the cache before the other was authenticated, as no longer an administrator (403).
    const statuses = answers.map((res) => res.status).sort();
    expect([
      [204, 403],
      [204, 409],
    ]).toContainEqual(statuses);
    const managers = (await server.app.store.listUsers()).filter((user) => user.roles.includes('fmeadmin'));
    expect(managers).toHaveLength(1);
  });
});
