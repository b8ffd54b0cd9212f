// Token management for the UI: list, create, enable/disable, duplicate, remove, and values kept for injection.
import type { KeptToken, ValueItem } from '../utils/storage-items';
import type { MessageHandlers } from './messages';
import { asNull, type ServerCalls } from './server-calls';

type TokenHandlers = Omit<
  MessageHandlers,
  'checkServer' | 'signIn' | 'useToken' | 'signOut' | 'getConnection'
>;

export function createTokenHandlers(calls: ServerCalls, keptTokens: ValueItem<KeptToken[]>): TokenHandlers {
  const same = (a: Omit<KeptToken, 'value'>) => (b: KeptToken) =>
    a.server === b.server && a.user === b.user && a.name === b.name;

  async function forgetValue(ref: Omit<KeptToken, 'value'>): Promise<void> {
    const kept = await keptTokens.getValue();
    if (kept.some(same(ref))) await keptTokens.setValue(kept.filter((entry) => !same(ref)(entry)));
  }

  return {
    getPermissionCatalogue: ({ server }) => calls.authed(server, (api) => api.permissionCatalogue()),

    listTokens: ({ server, ...filter }) => calls.authed(server, (api) => api.listTokens(filter)),

    createToken: ({ server, body }) => calls.authed(server, (api) => api.createToken(body)),

    setTokenEnabled: async ({ server, user, name, enabled }) =>
      asNull(await calls.authed(server, (api) => api.updateToken(user, name, { enabled }))),

    duplicateToken: ({ server, user, name, newName }) =>
      calls.authed(server, (api) => api.duplicateToken(user, name, { name: newName })),

    async removeToken({ server, user, name }) {
      const removed = asNull(await calls.authed(server, (api) => api.deleteToken(user, name)));
      if (removed.ok || removed.error.code === 'TOKEN_NOT_FOUND') await forgetValue({ server, user, name });
      return removed;
    },

    async keepTokenValue(entry) {
      const kept = (await keptTokens.getValue()).filter((other) => !same(entry)(other));
      await keptTokens.setValue([...kept, entry]);
      return { ok: true, value: null };
    },

    async forgetTokenValue(ref) {
      await forgetValue(ref);
      return { ok: true, value: null };
    },
  };
}
