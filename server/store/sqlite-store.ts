// The embedded store: one SQLite file in WAL mode, migrated on open, refused (never replaced) when unreadable.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type SqlBool, SqliteDialect, sql } from 'kysely';
import * as v from 'valibot';
import { migrateSqlite } from './migrate';
import { createRowSchemas } from './row-schemas';
import type { Tables } from './sql-dialect';
import { createSqlStore } from './sql-store';
import { type Store, StoreOpenError } from './store';

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's lock before the store answers busy (503). */
  busyTimeoutMs?: number;
}

const rows = createRowSchemas({
  flag: v.pipe(v.picklist([0, 1]), v.transform<0 | 1, boolean>(Boolean)),
  strings: v.pipe(v.string(), v.parseJson(), v.array(v.string())),
});

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  // better-sqlite3 waits synchronously, so the wait is short: a long one would stall every request.
  const database = openDatabase(path, options.busyTimeoutMs ?? 1000);
  const statement = statementCache(database);
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: { close: () => database.close(), prepare: statement } }),
  });
  const committing = groupCommit(database, statement, (run) =>
    // Kysely runs each statement at once too, and holds its one connection from BEGIN to COMMIT of a write
    // (awaiting between statements): while such a transaction is open, the group waits for the connection.
    database.inTransaction ? db.connection().execute(async () => run()) : run(),
  );
  const runningTasks = new Set<string>();
  return createSqlStore({
    db,
    rows,
    encode: { flag: (value) => (value ? 1 : 0), strings: (values) => JSON.stringify(values) },
    // A write holds the whole database (BEGIN IMMEDIATE, one connection, one process): no row needs a lock.
    locksRows: false,
    // Every statement is prepared once already (statementCache).
    prepared: async (on, query) => (await on.executeQuery(query)).rows,
    hasAnyRole: (roles) =>
      sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value IN (${sql.join(roles)}))`,
    /**
     * Every write runs in an explicit transaction. On its own, an INSERT … RETURNING read with `.get()`
     * commits when the statement is reset, and a failed COMMIT there (a full disk: SQLITE_FULL) is dropped:
     * the row came back, yet nothing was stored. An explicit COMMIT throws. (Kysely holds its one connection
     * for the whole callback, so no other query joins the transaction.)
     */
    write: (work) =>
      db.connection().execute(async (connection) => {
        await sql`BEGIN IMMEDIATE`.execute(connection);
        try {
          const result = await work(connection);
          await sql`COMMIT`.execute(connection);
          return result;
        } catch (error) {
          // A failed COMMIT may have rolled back already; a second ROLLBACK would hide the real error.
          if (database.inTransaction) await sql`ROLLBACK`.execute(connection);
          throw error;
        }
      }),
    writeNow: (work) => committing.add(work),
    // One process owns the file, and its own changes reach its cache directly: nothing to tell anyone, and
    // nothing to wait for.
    invalidations: {
      subscribe: (listener) => {
        listener.live(true);
        listener.trustUntil(Number.POSITIVE_INFINITY);
        return () => {};
      },
    },
    // One process owns an SQLite file (sqlite-lock.ts); within it, a task already running is not started again.
    runExclusive: async (task, work) => {
      if (runningTasks.has(task)) return undefined;
      runningTasks.add(task);
      try {
        return await work();
      } finally {
        runningTasks.delete(task);
      }
    },
  });
}

interface Waiting {
  /** Runs the write; returns how to settle its promise once the group is committed. */
  run(): () => void;
  reject(error: unknown): void;
}

/**
 * Writes that arrive together (in one turn of the event loop: the requests read in one poll) commit together, in
 * one BEGIN IMMEDIATE … COMMIT, each in a savepoint of its own: one that fails (a name taken, the cap reached) is
 * undone alone, and the others are kept. A commit writes each page it changed to the log once, so the pages that
 * the writes share (the last pages of the tables and their indexes, the counts) are written once for all of them.
 * Each write resolves only once the group is committed (an explicit COMMIT, as `write`); a failed COMMIT fails
 * them all.
 */
function groupCommit(
  database: Database.Database,
  statement: (text: string) => Database.Statement,
  whenFree: (run: () => void) => unknown,
) {
  const begin = database.prepare('BEGIN IMMEDIATE');
  const commit = database.prepare('COMMIT');
  const rollback = database.prepare('ROLLBACK');
  const savepoint = database.prepare('SAVEPOINT one_write');
  const undo = database.prepare('ROLLBACK TO one_write');
  const release = database.prepare('RELEASE one_write');
  let waiting: Waiting[] = [];

  function commitGroup(): void {
    const group = waiting;
    waiting = [];
    const settled: Array<() => void> = [];
    try {
      begin.run();
      for (const { run, reject } of group) {
        savepoint.run();
        try {
          settled.push(run());
        } catch (error) {
          undo.run();
          settled.push(() => reject(error));
        }
        release.run();
      }
      commit.run();
    } catch (error) {
      for (const { reject } of group) reject(error);
      // A failed COMMIT may have rolled back already. The group's error is the one its writes report; a ROLLBACK
      // that fails too has no caller left to tell (the next write will find the transaction still open).
      try {
        if (database.inTransaction) rollback.run();
      } catch {}
      return;
    }
    for (const settle of settled) settle();
  }

  return {
    add<R>(work: (statement: (text: string) => Database.Statement) => R): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(() => whenFree(commitGroup));
        waiting.push({
          run: () => {
            const result = work(statement);
            return () => resolve(result);
          },
          reject,
        });
      });
    },
  };
}

/** Kysely prepares every query afresh; the store's queries are few, so each is prepared once. */
function statementCache(database: Database.Database) {
  const statements = new Map<string, Database.Statement>();
  // A long text is a list of values: a batch of last uses or of new addresses, the ids a refresh reads. A full
  // batch has the same text every time (and preparing one costs several times what running it does); the last
  // batch of a write has a length that seldom comes again, and each kept text holds tens of kilobytes. So only a
  // few are kept, the least recently used going first.
  const long = new Map<string, Database.Statement>();
  return (text: string) => {
    if (text.length > MAX_SHORT_STATEMENT_CHARS) {
      let statement = long.get(text);
      if (statement) long.delete(text);
      else {
        statement = database.prepare(text);
        if (long.size >= MAX_KEPT_LONG_STATEMENTS) long.delete(long.keys().next().value as string);
      }
      long.set(text, statement);
      return statement;
    }
    let statement = statements.get(text);
    if (!statement) {
      statement = database.prepare(text);
      // Shorter lists vary in length too: start afresh rather than grow without end.
      if (statements.size >= 500) statements.clear();
      statements.set(text, statement);
    }
    return statement;
  };
}

/** Far longer than any fixed statement of the store (each is well under 1,000 characters). */
const MAX_SHORT_STATEMENT_CHARS = 4096;
/** Enough for the full batch of each kind of list written together, with room for the odd last ones. */
const MAX_KEPT_LONG_STATEMENTS = 8;

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a crash of the process (kill -9).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // The write whose commit fills the log past this many pages copies it into the file, and syncs the file, in
    // the request that made it. A write touches a dozen pages (a token, its indexes, its count, its event), many
    // the same from write to write: a longer log (at most ~40 MB) copies each of them once for more writes, and
    // blocks a request on a sync ten times less often than the default of 1,000 pages.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    migrateSqlite(db);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(
      `The database ${path} cannot be opened: ${reason}. ` +
        'tokenward leaves the file as it is; restore it from a backup, or move it aside to start with an empty store.',
    );
  }
}
