// Signing in and out of a server: web sessions and pasted API tokens, held in session storage.
import type { ApiClient, Result } from '../../shared/api-client';
import type { Connection, MessageHandlers } from '../core/messages';
import type { StoredCredential } from '../core/storage-items';
import type { CredentialStore } from './credential-store';
import type { ServerCalls } from './server-calls';

type SessionHandlers = Pick<MessageHandlers, 'signIn' | 'useToken' | 'signOut' | 'getConnection'>;

export function createSessionHandlers(calls: ServerCalls, credentials: CredentialStore): SessionHandlers {
  /** GET /security/me: who the credential belongs to and what it may do. */
  async function describe(
    server: string,
    api: ApiClient,
    credential: StoredCredential['kind'],
  ): Promise<Result<Connection & { tokenName?: string }>> {
    const me = await api.me();
    if (!me.ok) return me;
    const { user, roles, permissions, token } = me.value;
    // /security/me does not say whether an API token is restricted; its own record (a lookup, not a use) does.
    let restricted = false;
    if (credential === 'token' && token?.type === 'USER') {
      const own = await api.getToken(user, token.name);
      restricted = own.ok && own.value.restricted;
    }
    return {
      ok: true,
      value: {
        server,
        user,
        roles,
        permissions,
        credential,
        restricted,
        expirationDate: token?.expirationDate ?? null,
        ...(token && { tokenName: token.name }),
      },
    };
  }

  /** The connection as the pages see it: the token's name stays in the background. */
  function connectionOf(described: Result<Connection & { tokenName?: string }>): Result<Connection> {
    if (!described.ok) return described;
    const { tokenName: _kept, ...connection } = described.value;
    return { ok: true, value: connection };
  }

  return {
    async signIn({ server, user, password }) {
      const login = await calls.client(server).login({ user, password, kind: 'web' });
      if (!login.ok) return login;
      await credentials.set(server, {
        kind: 'session',
        value: login.value.token,
        user: login.value.user,
        name: login.value.name,
      });
      return connectionOf(await calls.authed(server, (api) => describe(server, api, 'session')));
    },

    async useToken({ server, token }) {
      const described = await describe(
        server,
        calls.client(server, { kind: 'token', value: token }),
        'token',
      );
      if (described.ok) {
        const { user, tokenName } = described.value;
        await credentials.set(server, {
          kind: 'token',
          value: token,
          user,
          ...(tokenName !== undefined && { name: tokenName }),
        });
      }
      return connectionOf(described);
    },

    async signOut({ server }) {
      const stored = await credentials.get(server);
      // Ending the web session on the server matters more than its answer: forget it either way.
      if (stored?.kind === 'session')
        await calls.client(server, { kind: 'token', value: stored.value }).logout();
      await credentials.forget(server, 'signed-out');
      return { ok: true, value: null };
    },

    /** Also the keep-alive: an authenticated call in a web session's last minutes renews it. */
    async getConnection({ server }) {
      if (!(await credentials.get(server))) return { ok: true, value: null };
      return connectionOf(await calls.authed(server, (api, stored) => describe(server, api, stored.kind)));
    },
  };
}
