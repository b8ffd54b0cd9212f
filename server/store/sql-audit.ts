// The audit trail in the SQL store, one query per method for both dialects.
import type { ExpressionBuilder } from 'kysely';
import * as v from 'valibot';
import { countOf, type Db, type SqlDialect, type Tables } from './sql-dialect';
import type { AuditEvents, AuditQuery, AuditStore } from './store';

/** Events per INSERT: nine parameters each, far below either dialect's limit. */
const EVENTS_PER_STATEMENT = 500;

const matching =
  (query: AuditQuery) => (eb: ExpressionBuilder<{ audit_events: Tables['audit_events'] }, 'audit_events'>) =>
    eb.and([
      ...(query.ownerId === undefined ? [] : [eb('owner_id', '=', query.ownerId)]),
      ...(query.tokenName === undefined ? [] : [eb('token_name', '=', query.tokenName)]),
    ]);

/**
 * Appends events in the transaction `trx` (of the change they record, or of their own). The owner's id only while
 * that account exists: an event recorded just after its deletion is kept.
 */
export async function insertAuditEvents(trx: Db, events: AuditEvents): Promise<void> {
  for (let start = 0; start < events.length; start += EVENTS_PER_STATEMENT) {
    await trx
      .insertInto('audit_events')
      .values(
        events.slice(start, start + EVENTS_PER_STATEMENT).map((event) => ({
          at: event.at,
          event: event.event,
          owner_id: (eb) =>
            eb
              .selectFrom('users')
              .select('id')
              .where('id', '=', event.ownerId ?? -1),
          owner: event.owner,
          token_name: event.tokenName,
          token_type: event.tokenType ?? '',
          actor: event.actor,
          client: event.client,
          reason: event.reason,
        })),
      )
      .execute();
  }
}

export function createAuditStore({ db, rows, write }: SqlDialect): AuditStore {
  return {
    recordAuditEvents: async (events) => {
      if (events.length > 0) await write((trx) => insertAuditEvents(trx, events));
    },
    listAuditEvents: async (query) => {
      const matched = db.selectFrom('audit_events').where(matching(query));
      const limit = query.limit < 0 ? Number.MAX_SAFE_INTEGER : query.limit;
      const items = await matched
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(query.offset)
        .execute();
      const total = await matched.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      return { items: items.map((row) => v.parse(rows.AuditRowSchema, row)), total: countOf(total) };
    },
  };
}
