// The rules of leases (short-lived children of an API token): who may mint them, see them and end them.
import {
  type CreateLeaseBody,
  DEFAULT_LEASE_TTL_SECONDS,
  type Lease,
  type LeaseSummary,
  MAX_LEASES_PER_TOKEN,
} from '../../shared/schemas/lease';
import { createTokenValue } from '../../shared/token-format';
import type { Authenticated } from '../auth/authenticate';
import { type Authorizer, Permission } from '../auth/authorize';
import { digestTokenValue } from '../auth/digest';
import { apiError, unauthorized } from '../errors';
import {
  AccountChangedError,
  LeaseParentError,
  type Store,
  TokenNotFoundError,
  type TokenRecord,
} from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';

export interface LeaseServiceDeps {
  store: Store;
  clock: Clock;
  authorizer: Authorizer;
}

export function createLeaseService({ store, clock, authorizer }: LeaseServiceDeps) {
  /** The token by owner and name: the caller's own, or (for administrators, when `others`) anyone's. */
  async function findToken(
    caller: Authenticated,
    owner: string,
    name: string,
    others: boolean,
  ): Promise<TokenRecord> {
    let userId = caller.user.id;
    if (owner !== caller.user.name) {
      await authorizer.demand(caller, Permission.manageUsers);
      if (!others) throw apiError(403, 'FORBIDDEN', "Another user's token can only be leased by its owner.");
      const user = await store.findUserByName(owner);
      if (!user) throw tokenGone(owner, name);
      userId = user.id;
    }
    const record = await store.findToken(userId, name.normalize('NFC'));
    if (!record) throw tokenGone(owner, name);
    return record;
  }

  /**
   * Minting, and ending leases, take the owner's full credential, or the parent's own value: a lease must not
   * beget leases (it would outlive its ttl), and another restricted token must not reach past its own rights.
   */
  function requireLeaseCredential(caller: Authenticated, parent: TokenRecord): void {
    if (caller.token?.lease !== undefined) {
      throw apiError(403, 'FORBIDDEN', 'A lease cannot mint or end leases; use its token or your password.');
    }
    if (caller.token?.restricted && caller.token.id !== parent.id) {
      throw apiError(
        403,
        'FORBIDDEN',
        'Leases are minted with a password, a session, an unrestricted token, or the token itself.',
      );
    }
  }

  return {
    async mint(caller: Authenticated, owner: string, name: string, body: CreateLeaseBody): Promise<Lease> {
      const parent = await findToken(caller, owner, name, false);
      requireLeaseCredential(caller, parent);
      if (parent.type === 'SESSION') {
        throw apiError(409, 'CONFLICT', 'Session tokens cannot be leased; lease an API token.');
      }
      const now = epochSeconds(clock);
      const value = createTokenValue();
      const expiresAt = Math.min(now + (body.ttl ?? DEFAULT_LEASE_TTL_SECONDS), parent.expiresAt);
      try {
        await store.createLease(
          {
            parentId: parent.id,
            userId: parent.userId,
            digest: digestTokenValue(value),
            createdAt: now,
            expiresAt,
          },
          { owner: caller.user, maxLive: MAX_LEASES_PER_TOKEN },
        );
      } catch (error) {
        if (error instanceof LeaseParentError) {
          throw apiError(409, 'CONFLICT', `"${parent.name}" is disabled or expired: it cannot be leased.`);
        }
        if (error instanceof TokenNotFoundError) throw tokenGone(owner, name);
        // The account changed while the request was on its way: its credential is no longer good.
        if (error instanceof AccountChangedError) throw unauthorized();
        throw error;
      }
      return {
        token: value,
        expirationDate: toApiDate(expiresAt),
        parent: { user: parent.owner, name: parent.name },
      };
    },

    async summary(caller: Authenticated, owner: string, name: string): Promise<LeaseSummary> {
      const parent = await findToken(caller, owner, name, true);
      const { live, lastUsedAt } = await store.leaseSummary(parent.id, epochSeconds(clock));
      return { live, lastUsedDate: lastUsedAt === null ? null : toApiDate(lastUsedAt) };
    },

    async end(caller: Authenticated, owner: string, name: string): Promise<void> {
      const parent = await findToken(caller, owner, name, true);
      requireLeaseCredential(caller, parent);
      await store.endLeases(parent.id);
    },
  };
}

export type LeaseService = ReturnType<typeof createLeaseService>;

function tokenGone(owner: string, name: string) {
  return apiError(404, 'TOKEN_NOT_FOUND', `No token named "${name}" for user "${owner}".`);
}
