// The shared store for several instances: PostgreSQL through a connection pool, the same SQL store and migrations.
import {
  Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  PostgresDialect,
  type PrimitiveValueListNode,
  sql,
  type ValueNode,
} from 'kysely';
import pg from 'pg';
import * as v from 'valibot';
import { advisoryLockKey, migratePostgres } from './migrate';
import { createRowSchemas } from './row-schemas';
import type { Db, Tables } from './sql-dialect';
import { createSqlStore } from './sql-store';
import { type Invalidations, type Store, StoreOpenError } from './store';
import { asStoreUnavailable } from './store-faults';

// BIGINT (oid 20) holds epoch seconds and ids, all far below 2^53: read them as numbers, not strings.
const INT8_OID = 20;
const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

const rows = createRowSchemas({ flag: v.boolean(), strings: v.array(v.string()) });

/**
 * PostgreSQL text cannot hold NUL, which a user name in a Basic header or a name in a URL may carry. No stored
 * name can contain a control character (every name is validated on the way in), so U+0001 in its place
 * keeps the query valid and still matches nothing, as the NUL would have.
 */
function withoutNul(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNul);
  return typeof value === 'string' ? value.replaceAll('\u0000', '\u0001') : value;
}

class NulReplacer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return { ...node, value: withoutNul(node.value) };
  }
  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...node, values: node.values.map(withoutNul) };
  }
}

const nulReplacing: KyselyPlugin = {
  transformQuery: ({ node }) => new NulReplacer().transformNode(node),
  transformResult: async ({ result }) => result,
};

export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: { getTypeParser },
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor may one lost while checked out between queries: its next query (or its release) reports it.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(`The PostgreSQL database cannot be used: ${reason}.`);
  }
  const db: Db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins: [nulReplacing] });

  return createSqlStore({
    db,
    rows,
    encode: { flag: (value) => value, strings: (values) => [...values] },
    /**
     * The write and its invalidation message in one transaction: PostgreSQL delivers a NOTIFY when the
     * transaction commits, so every instance hears of the write exactly when it commits, and never of one
     * that did not. (Sent afterwards, a crash or a lost connection in between left the others' caches stale.)
     */
    write: (work, stale) =>
      db.transaction().execute(async (trx) => {
        const result = await work(trx);
        if (stale !== undefined) await sql`SELECT pg_notify(${CHANNEL}, ${stale})`.execute(trx);
        return result;
      }),
    invalidations: createNotifyChannel(url),
    // A session-level advisory lock: whichever instance holds it runs the task; the others skip this round.
    runExclusive: async (task, work) => {
      const client = await pool.connect().catch((error: unknown) => {
        throw asStoreUnavailable(error) ?? error;
      });
      const key = advisoryLockKey(`tokenward:${task}`);
      try {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
        if (!v.parse(v.object({ locked: v.boolean() }), rows[0]).locked) return undefined;
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
  });
}

const CHANNEL = 'tokenward_invalidate';

/**
 * Invalidation over LISTEN/NOTIFY. A dedicated connection listens; while it is down, subscribers are told
 * messages may be missed (onLive(false)) and it reconnects with a growing pause.
 */
function createNotifyChannel(url: string): Invalidations {
  return {
    subscribe(onSubject, onLive) {
      let stopped = false;
      let client: pg.Client | undefined;
      let pause = 100;
      const connect = async () => {
        if (stopped) return;
        const next = new pg.Client({ connectionString: url, keepAlive: true });
        let gone = false;
        const lost = () => {
          // 'error' and 'end' may both come for one lost connection: reconnect once.
          if (gone) return;
          gone = true;
          onLive(false);
          next.removeAllListeners();
          next.end().catch(() => {});
          if (!stopped) setTimeout(connect, pause).unref();
          pause = Math.min(pause * 2, 5000);
        };
        next.on('error', lost);
        next.on('end', () => {
          if (!stopped) lost();
        });
        next.on('notification', (message) => {
          if (message.channel === CHANNEL && message.payload) onSubject(message.payload);
        });
        try {
          await next.connect();
          await next.query(`LISTEN ${CHANNEL}`);
          client = next;
          pause = 100;
          onLive(true);
        } catch {
          lost();
        }
      };
      onLive(false);
      void connect();
      return () => {
        stopped = true;
        client?.end().catch(() => {});
      };
    },
  };
}
