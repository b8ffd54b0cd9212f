// The authorizer reads what a caller holds once per request, and every refusal names what was needed.
import { describe, expect, it } from 'vitest';
import { adminBasic, createTestApp, jsonInit } from '../../test/fixtures/test-app';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';

/** A real store that counts how often the owner's repositories are read. */
function countingStore(): { store: Store; reads: () => number } {
  const inner = openSqliteStore(':memory:');
  let reads = 0;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'listOwnedRepositoryNames' && typeof value === 'function') {
        return (...args: unknown[]) => {
          reads += 1;
          return Reflect.apply(value, target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, reads: () => reads };
}

describe('authorizer', () => {
  it('reads the owner’s repositories once while creating a token', async () => {
    const { store, reads } = countingStore();
    const { app } = await createTestApp({ store });
    const before = reads();
    const response = await app.request(
      '/fmerest/v3/tokens',
      jsonInit('POST', adminBasic, {
        name: 'one-read',
        restricted: true,
        permissions: ['repositories:access'],
      }),
    );
    expect(response.status).toBe(201);
    expect(reads() - before).toBe(1);
  });

  it('refuses with 403 naming the permission in details.required', async () => {
    const { app, addUser } = await createTestApp();
    await addUser('plain', 'plain password 123', []);
    const response = await app.request('/fmerest/v3/security/accounts', {
      headers: { Authorization: `Basic ${Buffer.from('plain:plain password 123').toString('base64')}` },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'FORBIDDEN',
      details: { required: ['usermanagement:access'] },
    });
  });
});
