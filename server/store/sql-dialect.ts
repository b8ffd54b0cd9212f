// What differs between SQLite and PostgreSQL under the one SQL store: how a write commits and what it announces.
import type { Compilable, Generated, Kysely, RawBuilder, SqlBool } from 'kysely';
import * as v from 'valibot';
import type { Flag, RowSchemas, Strings } from './row-schemas';
import type { InvalidationSubject, Invalidations, StoreLifecycle } from './store';

type Row<Schema extends keyof RowSchemas> = v.InferInput<RowSchemas[Schema]>;
type WithId<T> = Omit<T, 'id'> & { id: Generated<number> };

/** The tables as the queries see them (see migrations.ts): the rows that row-schemas.ts reads, and the rest. */
export interface Tables {
  users: WithId<Row<'UserRowSchema'>>;
  tokens: WithId<Omit<Row<'TokenRowSchema'>, 'owner'>>;
  token_counts: { user_id: number; type: string; n: number };
  token_addresses: { token_id: number; address: string; first_used_at: number };
  token_changes: {
    seq: Generated<number>;
    token_id: number | null;
    user_id: number | null;
    at: Generated<number>;
  };
  leases: WithId<Row<'LeaseRowSchema'>>;
  repositories: WithId<Row<'RepositoryRowSchema'>>;
  items: WithId<Row<'ItemRowSchema'>> & { content: Uint8Array };
  audit_events: WithId<Row<'AuditRowSchema'>>;
  sign_in_streaks: { key: string; failures: number; last_failure: number; blocked_until: number };
  account_failures: { id: Generated<number>; account: string; at: number };
  sign_in_clients: { key: string; last_success: number };
  request_windows: { key: string; count: number; ends_at: number };
}

export type Db = Kysely<Tables>;

export interface SqlDialect extends Pick<StoreLifecycle, 'runExclusive'> {
  db: Db;
  /** How this dialect keeps booleans and lists of strings. */
  encode: { flag(value: boolean): Flag; strings(values: readonly string[]): Strings };
  rows: RowSchemas;
  /**
   * Whether a rule must lock the rows it reads (PostgreSQL), or its write already holds the whole database
   * (SQLite); see sql-rules.ts.
   */
  locksRows: boolean;
  /** A condition on the `users` table: the user holds at least one of the roles. */
  hasAnyRole(roles: readonly string[]): RawBuilder<SqlBool>;
  /**
   * Runs a write in one transaction and resolves only once it is committed; `stale` names what other
   * instances must forget, sent (where instances share the store) in that same transaction.
   */
  write<T>(work: (db: Db) => Promise<T>, stale?: Stale<T>): Promise<T>;
  /**
   * Runs one of the statements the store runs most (a page of tokens, its count, a create) on `db` (the pool or a
   * transaction): where the database would otherwise parse and plan it on every call, it is kept prepared.
   */
  prepared<R>(db: Db, query: Compilable<R>): Promise<R[]>;
  /**
   * PostgreSQL only: a write that is one statement, committed on its own (no BEGIN, no COMMIT: one round trip).
   * `statement` selects `notify` (the invalidation of `stale`) as `notified` in each row it returns, or null in
   * its place where it wrote nothing to announce; with no row or none notified, nothing was announced. Where this
   * is undefined, writes go through `write`.
   */
  writeStatement?<R extends { notified: unknown }>(
    statement: (notify: RawBuilder<unknown>) => RawBuilder<R>,
    stale: InvalidationSubject,
  ): Promise<R[]>;
  /**
   * SQLite only: a write whose statements, prepared once by their text, run one after another with no await
   * between them, as better-sqlite3 means its statements to be used, in a transaction (BEGIN IMMEDIATE … COMMIT)
   * on the store's one connection that it may share with the writes that arrived with it, each in a savepoint of
   * its own (sqlite-store.ts). It resolves once committed. For the hottest writes: no query is built or compiled
   * per call, and one commit for many. Where this is undefined, writes go through `write`.
   */
  writeNow?<R>(work: (statement: (text: string) => PreparedStatement) => R): Promise<R>;
  invalidations: Invalidations;
}

/** A statement prepared once (better-sqlite3's), run with positional parameters. */
export interface PreparedStatement {
  /** The first row, or undefined. */
  get(...parameters: unknown[]): unknown;
  run(...parameters: unknown[]): unknown;
}

/** What a write makes stale: one subject known beforehand, or the subjects its result names. */
export type Stale<T> = InvalidationSubject | ((result: T) => readonly InvalidationSubject[]);

export function staleSubjects<T>(stale: Stale<T> | undefined, result: T): readonly InvalidationSubject[] {
  if (stale === undefined) return [];
  return typeof stale === 'function' ? stale(result) : [stale];
}

type Written = { numDeletedRows: bigint } | { numUpdatedRows: bigint } | undefined;

/** How many rows a DELETE or UPDATE touched. */
export const rowsAffected = (result: Written): number =>
  result === undefined
    ? 0
    : Number('numDeletedRows' in result ? result.numDeletedRows : result.numUpdatedRows);

/** Whether a DELETE or UPDATE touched exactly one row. */
export const affected = (result: Written): boolean => rowsAffected(result) === 1;

/** The `n` of a `count(*) AS n` row (a string or bigint in some drivers, a number here). */
export function countOf(row: { n: unknown } | undefined): number {
  return Number(v.parse(v.union([v.number(), v.string(), v.bigint()]), row?.n));
}

/** The tables whose rows are deleted one by one, with no rule to keep. */
type Table = 'repositories' | 'items';

/** Deletes row `id` of `table` in a write of its own; whether it existed. */
export const deleteById = ({ write }: SqlDialect, table: Table, id: number) =>
  write(async (trx) => affected(await trx.deleteFrom(table).where('id', '=', id).executeTakeFirst()));

/** A write of one statement whose result is not needed. */
export const writeOnly = ({ write }: SqlDialect, statement: (trx: Db) => { execute(): Promise<unknown> }) =>
  write(async (trx) => void (await statement(trx).execute()));
