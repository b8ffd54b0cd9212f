// What differs between SQLite and PostgreSQL under the one SQL store: how a write commits and what it announces.
import type { Generated, Kysely } from 'kysely';
import * as v from 'valibot';
import type { createRowSchemas } from './row-schemas';
import type { InvalidationSubject, Invalidations, StoreLifecycle } from './store';

/** A boolean column: 0/1 in SQLite, BOOLEAN in PostgreSQL. */
type Flag = number | boolean;
/** A list of strings: JSON text in SQLite, TEXT[] in PostgreSQL. */
type Strings = string | string[];

/** The tables as the queries see them (see migrations.ts). */
export interface Tables {
  users: {
    id: Generated<number>;
    name: string;
    password_hash: string;
    roles: Strings;
    enabled: Flag;
    created_at: number;
  };
  tokens: {
    id: Generated<number>;
    user_id: number;
    name: string;
    description: string;
    type: string;
    source: string;
    digest: string;
    enabled: Flag;
    restricted: Flag;
    permissions: Strings;
    created_at: number;
    saved_at: number;
    expires_at: number;
    last_used_at: number | null;
  };
  repositories: {
    id: Generated<number>;
    name: string;
    description: string;
    owner_id: number | null;
    created_at: number;
  };
  items: {
    id: Generated<number>;
    repository_id: number;
    name: string;
    type: string;
    content_type: string;
    size: number;
    content: Uint8Array;
    created_at: number;
  };
  audit_events: {
    id: Generated<number>;
    at: number;
    event: string;
    owner_id: number | null;
    owner: string;
    token_name: string;
    token_type: string;
    actor: string | null;
    client: string | null;
    reason: string | null;
  };
  sign_in_streaks: { key: string; failures: number; last_failure: number; blocked_until: number };
  account_failures: { id: Generated<number>; account: string; at: number };
  sign_in_clients: { key: string; last_success: number };
}

export type Db = Kysely<Tables>;

export interface SqlDialect extends Pick<StoreLifecycle, 'runExclusive'> {
  db: Db;
  /** How this dialect keeps booleans and lists of strings. */
  encode: { flag(value: boolean): Flag; strings(values: readonly string[]): Strings };
  rows: ReturnType<typeof createRowSchemas>;
  /**
   * Runs a write in one transaction and resolves only once it is committed; `stale` names what other
   * instances must forget, sent (where instances share the store) in that same transaction.
   */
  write<T>(work: (db: Db) => Promise<T>, stale?: InvalidationSubject): Promise<T>;
  invalidations: Invalidations;
}

/** Whether a DELETE or UPDATE touched exactly one row. */
export function affected(
  result: { numDeletedRows: bigint } | { numUpdatedRows: bigint } | undefined,
): boolean {
  return rowsAffected(result) === 1;
}

export function rowsAffected(
  result: { numDeletedRows: bigint } | { numUpdatedRows: bigint } | undefined,
): number {
  if (result === undefined) return 0;
  return Number('numDeletedRows' in result ? result.numDeletedRows : result.numUpdatedRows);
}

/** The `n` of a `count(*) AS n` row (a string or bigint in some drivers, a number here). */
export function countOf(row: { n: unknown } | undefined): number {
  return Number(v.parse(v.union([v.number(), v.string(), v.bigint()]), row?.n));
}
