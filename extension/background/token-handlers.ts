// Token management for the UI: list, create, enable/disable, duplicate, remove, and values kept for injection.
import type { TokenRef } from '../../shared/schemas/injection-rules';
import type { MessageHandlers } from '../core/messages';
import type { KeptToken, ValueItem } from '../core/storage-items';
import { asNull, type ServerCalls } from './server-calls';

type TokenHandlers = Pick<
  MessageHandlers,
  | 'getPermissionCatalogue'
  | 'listRepositoryNames'
  | 'listTokens'
  | 'createToken'
  | 'setTokenEnabled'
  | 'updateToken'
  | 'duplicateToken'
  | 'removeToken'
  | 'keepTokenValue'
  | 'forgetTokenValue'
>;

export interface TokenHooks {
  /** A token was enabled, disabled or removed here: rules using it stop or resume at once. */
  tokenChanged(ref: TokenRef): Promise<void>;
  valuesChanged(): Promise<void>;
  /** A value kept straight from the server's creating answer: it injects without waiting for a check. */
  valueKept(ref: TokenRef): Promise<void>;
  /** The server confirmed a token was disabled or removed here: the sign-in that used it has ended. */
  switchedOff(ref: TokenRef, cause: 'disabled' | 'removed'): Promise<void>;
}

const noHooks: TokenHooks = {
  tokenChanged: async () => {},
  valuesChanged: async () => {},
  valueKept: async () => {},
  switchedOff: async () => {},
};

export function createTokenHandlers(
  calls: ServerCalls,
  keptTokens: ValueItem<KeptToken[]>,
  hooks: TokenHooks = noHooks,
): TokenHandlers {
  const same = (a: Omit<KeptToken, 'value'>) => (b: KeptToken) =>
    a.server === b.server && a.user === b.user && a.name === b.name;

  async function forgetValue(ref: Omit<KeptToken, 'value'>): Promise<void> {
    const kept = await keptTokens.getValue();
    if (kept.some(same(ref))) await keptTokens.setValue(kept.filter((entry) => !same(ref)(entry)));
  }

  return {
    getPermissionCatalogue: ({ server }) => calls.authed(server, (api) => api.permissionCatalogue()),

    async listRepositoryNames({ server }) {
      const listed = await calls.authed(server, (api) => api.listRepositories());
      return listed.ok
        ? { ok: true, value: listed.value.items.map((repository) => repository.name) }
        : listed;
    },

    listTokens: ({ server, ...filter }) => calls.authed(server, (api) => api.listTokens(filter)),

    createToken: ({ server, body }) => calls.authed(server, (api) => api.createToken(body)),

    async setTokenEnabled({ server, user, name, enabled }) {
      const updated = asNull(await calls.authed(server, (api) => api.updateToken(user, name, { enabled })));
      if (updated.ok) {
        await hooks.tokenChanged({ server, user, name });
        if (!enabled) await hooks.switchedOff({ server, user, name }, 'disabled');
      }
      return updated;
    },

    async updateToken({ server, user, name, patch }) {
      const updated = asNull(await calls.authed(server, (api) => api.updateToken(user, name, patch)));
      if (updated.ok) await hooks.tokenChanged({ server, user, name });
      return updated;
    },

    duplicateToken: ({ server, user, name, newName, ...expiry }) =>
      calls.authed(server, (api) => api.duplicateToken(user, name, { name: newName, ...expiry })),

    async removeToken({ server, user, name }) {
      const removed = asNull(await calls.authed(server, (api) => api.deleteToken(user, name)));
      if (removed.ok || removed.error.code === 'TOKEN_NOT_FOUND') {
        await hooks.tokenChanged({ server, user, name });
        await forgetValue({ server, user, name });
        await hooks.valuesChanged();
        await hooks.switchedOff({ server, user, name }, 'removed');
      }
      return removed;
    },

    async keepTokenValue(entry) {
      const kept = (await keptTokens.getValue()).filter((other) => !same(entry)(other));
      await keptTokens.setValue([...kept, entry]);
      await hooks.valueKept(entry);
      await hooks.valuesChanged();
      return { ok: true, value: null };
    },

    async forgetTokenValue(ref) {
      await forgetValue(ref);
      await hooks.valuesChanged();
      return { ok: true, value: null };
    },
  };
}
