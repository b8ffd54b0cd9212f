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
import { type CacheLease, CHANNEL, createNotifyChannel } from './notify-channel';
import { createRowSchemas } from './row-schemas';
import type { Db, Tables } from './sql-dialect';
import { createSqlStore } from './sql-store';
import { type Store, StoreOpenError } from './store';
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

export interface PostgresStoreOptions {
  /** How long this instance's cache is trusted after each heartbeat heard back, and how often it sends one. */
  cacheLease?: CacheLease;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
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
  // Listening before the first write, so that the first write already knows who else listens.
  const channel = createNotifyChannel(url, options.cacheLease);
  await channel.started;

  const store = createSqlStore({
    db,
    rows,
    encode: { flag: (value) => value, strings: (values) => [...values] },
    /**
     * The write and its invalidation message in one transaction: PostgreSQL delivers a NOTIFY when the
     * transaction commits, so every instance hears of the write exactly when it commits, and never of one
     * that did not. (Sent afterwards, a crash or a lost connection in between left the others' caches stale.)
     * Then the write waits until no instance can answer from a cache older than it (agreement.ts): only then
     * may it be acknowledged.
     */
    write: async (work, stale) => {
      if (stale === undefined) return db.transaction().execute(work);
      const { payload, write } = channel.announce([stale]);
      const result = await db
        .transaction()
        .execute(async (trx) => {
          const result = await work(trx);
          await sql`SELECT pg_notify(${CHANNEL}, ${payload})`.execute(trx);
          return result;
        })
        .catch((error: unknown) => {
          write.abandon();
          throw error;
        });
      await write.committed();
      return result;
    },
    invalidations: channel.invalidations,
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
  return {
    ...store,
    close: async () => {
      await channel.close();
      await store.close();
    },
  };
}
