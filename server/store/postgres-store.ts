// The shared store for several instances: PostgreSQL through a connection pool, the same SQL store and migrations.
import {
  type Compilable,
  Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PostgresCursor,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type PrimitiveValueListNode,
  type SqlBool,
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
import { type InvalidationSubject, type Store, StoreOpenError } from './store';
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

export interface PostgresTimeouts {
  /**
   * Longest wait for one statement, a lock it waits for included: PostgreSQL cancels it then. When PostgreSQL does
   * not answer at all, the connection is dropped a moment later (STALLED_MARGIN_MS). Default 5 s.
   */
  statementMs?: number;
  /** Longest wait for a connection: a new one, or a free one of the pool. Default 5 s. */
  connectMs?: number;
}

/** How long after the statement timeout a connection that has not answered at all is given up. */
const STALLED_MARGIN_MS = 500;

export interface PostgresStoreOptions {
  timeouts?: PostgresTimeouts;
  /** How long this instance's cache is trusted after each heartbeat heard back, and how often it sends one. */
  cacheLease?: CacheLease;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const timeouts = options.timeouts ?? {};
  const statementMs = Math.round(timeouts.statementMs ?? 5000);
  const connectMs = Math.round(timeouts.connectMs ?? 5000);
  // Migrating may take longer than any request should: its own connection, without the statement timeout.
  const migrating = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectMs });
  migrating.on('error', () => {});
  try {
    await migrating.connect();
    await migratePostgres(migrating);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(`The PostgreSQL database cannot be used: ${reason}.`);
  } finally {
    await migrating.end().catch(() => {});
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: { getTypeParser },
    connectionTimeoutMillis: connectMs,
    // Bounded waits: PostgreSQL cancels a statement past the first (a lock held too long included); the second
    // gives up on a server that does not answer at all. Either way the request is answered 503 with Retry-After.
    statement_timeout: statementMs,
    query_timeout: statementMs + STALLED_MARGIN_MS,
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor may one lost while checked out between queries: its next query (or its release) reports it.
  pool.on('connect', (client) => client.on('error', () => {}));
  const names = new PreparedNames();
  const db: Db = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: discardingStalled(pool, names) }),
    plugins: [nulReplacing],
  });
  const prepared = async <R>(on: Db, query: Compilable<R>): Promise<R[]> => {
    const compiled = query.compile();
    names.add(compiled.sql);
    return (await on.executeQuery(compiled)).rows;
  };
  // Listening before the first write, so that the first write already knows who else listens.
  const channel = createNotifyChannel(url, options.cacheLease);
  await channel.started;

  const store = createSqlStore({
    db,
    rows,
    encode: { flag: (value) => value, strings: (values) => [...values] },
    // Read committed: the rules lock the rows they read (sql-rules.ts).
    locksRows: true,
    prepared,
    hasAnyRole: (roles) => sql<SqlBool>`users.roles && ${[...roles]}::text[]`,
    writeStatement: async (statement, stale) => {
      const write = channel.begin();
      const raw = statement(sql`pg_notify(${CHANNEL}, ${write.payload([stale])})`);
      const rows = await prepared(db, { compile: () => raw.compile(db) }).catch((error: unknown) => {
        write.abandon();
        throw error;
      });
      if (rows.some((row) => row.notified !== null)) await write.committed();
      else write.abandon();
      return rows;
    },
    /**
     * The write and its invalidation message in one transaction: PostgreSQL delivers a NOTIFY when the
     * transaction commits, so every instance hears of the write exactly when it commits, and never of one
     * that did not. (Sent afterwards, a crash or a lost connection in between left the others' caches stale.)
     * Then the write waits until no instance can answer from a cache older than it (agreement.ts): only then
     * may it be acknowledged.
     */
    write: async (work, stale) => {
      if (stale === undefined) return db.transaction().execute(work);
      const write = channel.begin();
      let announced = false;
      const result = await db
        .transaction()
        .execute(async (trx) => {
          const notify = async (subjects: readonly InvalidationSubject[]) => {
            if (subjects.length === 0) return;
            await sql`SELECT pg_notify(${CHANNEL}, ${write.payload(subjects)})`.execute(trx);
            announced = true;
          };
          // A subject known beforehand is announced first: the message still goes out only at the commit, and
          // a write that locks rows then holds them through fewer round trips.
          if (typeof stale !== 'function') await notify([stale]);
          const result = await work(trx);
          if (typeof stale === 'function') await notify(stale(result));
          return result;
        })
        .catch((error: unknown) => {
          write.abandon();
          throw error;
        });
      if (announced) await write.committed();
      else write.abandon();
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

/**
 * The pool as Kysely uses it, but a connection whose query timed out on this side (PostgreSQL did not answer at
 * all: stopped, or the network gone) is closed rather than reused, and fails its further queries at once, so
 * the rollback that follows does not wait a second time. One wrapper per connection: Kysely knows them by identity.
 */
function discardingStalled(pool: pg.Pool, names: PreparedNames): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, StallAwareClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = new StallAwareClient(client, names);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** node-postgres's error for a query that got no answer within query_timeout. */
const STALLED = 'Query read timeout';

/** Statements kept prepared at most, per connection. */
const MAX_PREPARED = 200;

/** What PostgreSQL answers when a prepared statement's result no longer fits its tables (a column added). */
const STALE_PREPARED = '0A000';

/** The texts of the store's hot statements, each with the name it is prepared under on every connection. */
class PreparedNames {
  #names = new Map<string, string>();
  #next = 0;

  /** A few dozen shapes (filters present or not); the bound keeps a mistake from preparing without end. */
  add(text: string): void {
    if (!this.#names.has(text) && this.#names.size < MAX_PREPARED) this.#names.set(text, `tw${this.#next++}`);
  }

  get(text: string): string | undefined {
    return this.#names.get(text);
  }

  /** Another instance changed a table (its migration): the statement is prepared afresh, under a new name. */
  renew(text: string): void {
    if (this.#names.has(text)) this.#names.set(text, `tw${this.#next++}`);
  }
}

class StallAwareClient implements PostgresPoolClient {
  #stalled = false;
  #inTransaction = false;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly names: PreparedNames,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    text: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof text !== 'string') throw new Error('The store reads no cursors.');
    if (this.#stalled) return Promise.reject(new Error(STALLED));
    if (/^(begin|commit|rollback)$/i.test(text)) this.#inTransaction = text.toLowerCase() === 'begin';
    return this.#send(text, [...parameters]).then(
      (result) => ({ command: commandOf(result.command), rowCount: result.rowCount ?? 0, rows: result.rows }),
      (error: unknown) => {
        if (error instanceof Error && error.message === STALLED) this.#stalled = true;
        throw error;
      },
    );
  }

  async #send(text: string, values: unknown[]): Promise<pg.QueryResult> {
    // The hot statements by name, as node-postgres documents prepared statements: parsed once per connection (pg
    // remembers which names each connection has), instead of on every call.
    const name = this.names.get(text);
    if (name === undefined) return this.client.query(text, values);
    try {
      return await this.client.query({ name, text, values });
    } catch (error) {
      // A table changed under the prepared statement (a newer instance's migration added a column): it is prepared
      // again under a new name, and the query sent again unless a transaction it was part of has failed with it.
      if (!(error instanceof Error && 'code' in error && error.code === STALE_PREPARED)) throw error;
      this.names.renew(text);
      if (this.#inTransaction) throw error;
      return this.client.query({ name: this.names.get(text), text, values });
    }
  }

  release(destroy?: boolean): void {
    this.client.release(destroy === true || this.#stalled);
  }
}

/** The commands Kysely tells apart (rows affected, the end of a transaction); any other reads as a SELECT. */
const COMMANDS = ['UPDATE', 'DELETE', 'INSERT', 'SELECT', 'MERGE', 'COMMIT', 'ROLLBACK'] as const;
const commandOf = (command: string) => COMMANDS.find((known) => known === command) ?? 'SELECT';
