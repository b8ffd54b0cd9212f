// The rows of both dialects as records: one definition, with each dialect's way of keeping booleans and lists.
import * as v from 'valibot';
import { AuditEventTypeSchema } from '../../shared/schemas/audit';
import { TokenSourceSchema, TokenTypeSchema } from '../../shared/schemas/token';
import type { AuditRecord, ItemRecord, RepositoryRecord, TokenRecord, UserRecord } from './store';

/** A boolean column: 0/1 in SQLite, BOOLEAN in PostgreSQL. */
export type Flag = number | boolean;
/** A list of strings: JSON text in SQLite, TEXT[] in PostgreSQL. */
export type Strings = string | string[];

export interface ColumnCodec {
  flag: v.GenericSchema<Flag, boolean>;
  strings: v.GenericSchema<Strings, string[]>;
}

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;
type Camelized<T> = { [K in keyof T as Camel<K & string>]: T[K] };

/** A row schema whose output is the record: the same fields, snake_case column names in camelCase. */
function rowSchema<Entries extends v.ObjectEntries, Output>(
  entries: Entries,
  // Checks, at compile time, that the camelCase row has every field of the record.
  check: (row: Camelized<v.InferOutput<v.ObjectSchema<Entries, undefined>>>) => Output,
) {
  return v.pipe(
    v.object(entries),
    v.transform((row) =>
      check(
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key.replace(/_(.)/g, (_, c: string) => c.toUpperCase()),
            value,
          ]),
        ) as Camelized<v.InferOutput<v.ObjectSchema<Entries, undefined>>>,
      ),
    ),
  );
}

export function createRowSchemas({ flag, strings }: ColumnCodec) {
  const id = v.number();
  const time = v.number();
  return {
    UserRowSchema: rowSchema(
      { id, name: v.string(), password_hash: v.string(), roles: strings, enabled: flag, created_at: time },
      (row): UserRecord => row,
    ),
    TokenRowSchema: rowSchema(
      {
        id,
        user_id: id,
        owner: v.string(),
        name: v.string(),
        description: v.string(),
        type: TokenTypeSchema,
        source: TokenSourceSchema,
        digest: v.string(),
        enabled: flag,
        restricted: flag,
        permissions: strings,
        created_at: time,
        saved_at: time,
        expires_at: time,
        last_used_at: v.nullable(time),
      },
      (row): TokenRecord => row,
    ),
    RepositoryRowSchema: rowSchema(
      { id, name: v.string(), description: v.string(), owner_id: v.nullable(id), created_at: time },
      (row): RepositoryRecord => row,
    ),
    ItemRowSchema: rowSchema(
      {
        id,
        repository_id: id,
        name: v.string(),
        type: v.string(),
        content_type: v.string(),
        size: v.number(),
        created_at: time,
      },
      (row): ItemRecord => row,
    ),
    AuditRowSchema: rowSchema(
      {
        id,
        at: time,
        event: AuditEventTypeSchema,
        owner_id: v.nullable(id),
        owner: v.string(),
        token_name: v.string(),
        token_type: TokenTypeSchema,
        actor: v.nullable(v.string()),
        client: v.nullable(v.string()),
        reason: v.nullable(v.string()),
      },
      (row): AuditRecord => row,
    ),
  };
}
