// The audit trail's events: a change's event is built here and committed by the store with the change itself;
// uses (failed, or of a token sent in a URL) are written off the request path in batches, at most once a minute
// per token and reason.
import type { AuditEventType } from '../../shared/schemas/audit';
import { BoundedMap } from '../bounded-map';
import type { Logger } from '../logger';
import type { NewAuditRecord, Store, TokenRecord } from '../store/store';
import { type Clock, epochSeconds } from '../time';

/** What the trail keeps of a token: a stored record, a token about to be, or the one that authenticated a request. */
type AuditedToken = Pick<TokenRecord, 'userId' | 'owner' | 'name' | 'type'>;
/** A token whose uses are throttled by its id. */
type UsedToken = AuditedToken & Pick<TokenRecord, 'id'>;

export type FailedUseReason = 'disabled' | 'expired' | 'owner_disabled';

export interface AuditDeps {
  store: Store;
  clock: Clock;
  log: Logger;
}

const THROTTLE_SECONDS = 60;
const MAX_THROTTLED = 10_000;

export function createAuditLog({ store, clock, log }: AuditDeps) {
  let pending: NewAuditRecord[] = [];
  let scheduled = false;
  const lastThrottled = new BoundedMap<string, number>(MAX_THROTTLED);

  function flush(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    store.recordAuditEvents(batch).catch((error: unknown) => {
      log.error('could not record audit events', { count: batch.length, error: String(error) });
    });
  }

  function record(event: Omit<NewAuditRecord, 'at'>): void {
    pending.push({ ...event, at: epochSeconds(clock) });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  /** True at most once a minute per token and reason: a flood of uses writes little. */
  function due(token: UsedToken, reason: string): boolean {
    const now = epochSeconds(clock);
    const key = `${token.id}:${reason}`;
    const last = lastThrottled.get(key);
    if (last !== undefined && now - last < THROTTLE_SECONDS) return false;
    lastThrottled.set(key, now);
    return true;
  }

  return {
    /**
     * The event of an action on a token, by its owner or by an administrator (actor differs from owner), for the
     * store to commit in the transaction of the action itself.
     */
    tokenEvent(
      event: AuditEventType,
      token: AuditedToken,
      actor: string,
      client: string | undefined,
      reason?: string,
    ): NewAuditRecord {
      return {
        at: epochSeconds(clock),
        event,
        ownerId: token.userId,
        owner: token.owner,
        tokenName: token.name,
        tokenType: token.type,
        actor,
        client: client ?? null,
        reason: reason ?? null,
      };
    },

    /** A request that presented a known token which could not be used. Throttled: a flood writes little. */
    failedUse(token: UsedToken, reason: FailedUseReason, client: string | undefined): void {
      if (!due(token, reason)) return;
      record({
        event: reason === 'expired' ? 'expired_use' : 'failed_use',
        ownerId: token.userId,
        owner: token.owner,
        tokenName: token.name,
        tokenType: token.type,
        actor: null,
        client: client ?? null,
        reason: reason === 'expired' ? null : reason,
      });
    },

    /**
     * A token accepted from a URL or form parameter rather than the Authorization header: such a value
     * may sit in proxy logs and browser history, so its owner should see that it travelled that way.
     */
    queryStringUse(token: UsedToken, client: string | undefined): void {
      if (!due(token, 'query_string')) return;
      record({
        event: 'query_string_use',
        ownerId: token.userId,
        owner: token.owner,
        tokenName: token.name,
        tokenType: token.type,
        actor: null,
        client: client ?? null,
        reason: null,
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
