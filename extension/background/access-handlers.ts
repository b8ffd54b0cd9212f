// What a token and its owner hold, as the signed-in user may see it: the facts a 403's explanation rests on.
import type { ApiClient, Result } from '../../shared/api-client';
import { holdsPermission, permissionsOfOwner } from '../../shared/permissions';
import type { MessageHandlers, TokenAccess } from '../core/messages';
import type { StoredCredential } from '../core/storage-items';
import type { ServerCalls } from './server-calls';

type AccessHandlers = Pick<MessageHandlers, 'describeTokenAccess'>;

/**
 * The owner's permissions now, or null when this sign-in cannot tell them all. Lookups only: none of these calls
 * is a use of the token being explained.
 */
async function ownerPermissions(
  api: ApiClient,
  held: StoredCredential,
  owner: string,
): Promise<string[] | null> {
  const me = await api.me();
  if (!me.ok) return null;
  if (me.value.user === owner) {
    // A session, or an All Permissions token, holds exactly what its owner holds.
    if (held.kind === 'session') return me.value.permissions;
    const own = me.value.token ? await api.getToken(owner, me.value.token.name) : undefined;
    return own?.ok && !own.value.restricted ? me.value.permissions : null;
  }
  // Someone else's token (an administrator's view): their roles, and the repositories they created, which
  // only a caller who reads every repository sees in full.
  if (!holdsPermission(me.value.permissions, 'repository/*:read')) return null;
  const [account, owned] = await Promise.all([api.getAccount(owner), api.listRepositories({ owner })]);
  if (!account.ok || !owned.ok) return null;
  return permissionsOfOwner(
    account.value.roles,
    owned.value.items.map((repository) => repository.name),
  );
}

export function createAccessHandlers(calls: ServerCalls): AccessHandlers {
  return {
    describeTokenAccess: ({ server, user, name }) =>
      calls.authed(server, async (api, held): Promise<Result<TokenAccess>> => {
        const token = await api.getToken(user, name);
        if (!token.ok) return token;
        return { ok: true, value: { token: token.value, owner: await ownerPermissions(api, held, user) } };
      }),
  };
}
