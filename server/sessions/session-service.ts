// Session tokens: issued by signing in (web, apidoc) or by the legacy token service, ended by logout.
import { randomBytes } from 'node:crypto';
import type { SessionToken } from '../../shared/schemas/session';
import type { TokenSource } from '../../shared/schemas/token';
import { createTokenValue } from '../../shared/token-format';
import type { AuditLog } from '../audit/audit-log';
import type { Authenticated } from '../auth/authenticate';
import { digestTokenValue } from '../auth/digest';
import type { SessionPolicy } from '../config';
import { apiError, unauthorized } from '../errors';
import {
  AccountChangedError,
  NameTakenError,
  type NewToken,
  type Store,
  type UserRecord,
} from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';

export interface SessionServiceDeps {
  store: Store;
  clock: Clock;
  sessionPolicy: SessionPolicy;
  audit: AuditLog;
  /** Active sessions one user may hold: past it, a sign-in ends the oldest. */
  maxSessionsPerUser: number;
}

type SessionSource = Exclude<TokenSource, 'api'>;

export function createSessionService({
  store,
  clock,
  sessionPolicy,
  audit,
  maxSessionsPerUser,
}: SessionServiceDeps) {
  /**
   * A session for `user`, whose password was just checked against `user.passwordHash`: the store makes it only
   * while that is still the account's password (401 otherwise) and ends the oldest sessions past the limit.
   */
  async function issue(
    user: UserRecord,
    source: SessionSource,
    lifetimeSeconds: number,
    client: string,
  ): Promise<SessionToken> {
    const now = epochSeconds(clock);
    const value = createTokenValue();
    // The name is random but not derived from the value, which must stay secret.
    for (let attempt = 1; ; attempt++) {
      const session: NewToken = {
        userId: user.id,
        name: `${source} session ${randomBytes(4).toString('hex')}`,
        description: '',
        type: 'SESSION',
        source,
        digest: digestTokenValue(value),
        enabled: true,
        restricted: false,
        permissions: [],
        createdAt: now,
        savedAt: now,
        expiresAt: now + lifetimeSeconds,
      };
      try {
        const { session: record } = await store.createSession(session, {
          passwordHash: user.passwordHash,
          maxSessions: maxSessionsPerUser,
          audit: {
            created: audit.tokenEvent('created', { ...session, owner: user.name }, user.name, client),
            ended: (ended) =>
              audit.tokenEvent(
                'removed',
                ended,
                user.name,
                client,
                `session limit: the oldest of ${maxSessionsPerUser} sessions, ended by a newer sign-in`,
              ),
          },
        });
        return {
          token: value,
          name: record.name,
          user: user.name,
          type: 'SESSION',
          source,
          expirationDate: toApiDate(record.expiresAt),
        };
      } catch (error) {
        if (error instanceof AccountChangedError) throw unauthorized();
        if (!(error instanceof NameTakenError) || attempt >= 3) throw error;
      }
    }
  }

  return {
    /** A `web` session (sliding) or an `apidoc` one (fixed), for a user whose password was checked. */
    signIn(user: UserRecord, kind: 'web' | 'apidoc', client: string): Promise<SessionToken> {
      return issue(
        user,
        kind,
        kind === 'web' ? sessionPolicy.webSeconds : sessionPolicy.apidocSeconds,
        client,
      );
    },

    /** The legacy token service's fixed-lifetime session token. */
    issueServiceToken(user: UserRecord, lifetimeSeconds: number, client: string): Promise<SessionToken> {
      return issue(user, 'tokenservice', lifetimeSeconds, client);
    },

    async signOut(caller: Authenticated): Promise<void> {
      if (caller.token?.type !== 'SESSION') {
        throw apiError(400, 'BAD_REQUEST', 'Sign out with the session token you signed in with.');
      }
      await store.deleteToken(caller.token.id, [
        audit.tokenEvent('removed', caller.token, caller.user.name, caller.client),
      ]);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
