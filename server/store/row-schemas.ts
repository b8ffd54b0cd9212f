// The stored rows and the records they are read as: one definition for both dialects, the records' source.
import * as v from 'valibot';
import { AuditEventTypeSchema } from '../../shared/schemas/audit';
import { TokenSourceSchema, TokenTypeSchema } from '../../shared/schemas/token';

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
function rowSchema<Entries extends v.ObjectEntries>(entries: Entries) {
  type Row = v.InferOutput<v.ObjectSchema<Entries, undefined>>;
  // The new names are worked out once per schema, not once per row: a page reads fifty rows, a refresh of the
  // token cache every active token.
  const renames = Object.keys(entries).map(
    (key) => [key as keyof Row, key.replace(/_(.)/g, (_, c: string) => c.toUpperCase())] as const,
  );
  return v.pipe(
    v.object(entries),
    v.transform((row: Row) => {
      const record: Record<string, unknown> = {};
      for (const [column, field] of renames) record[field] = row[column];
      return record as Camelized<Row>;
    }),
  );
}

// Ids and times (whole seconds since the epoch) are numbers.
const id = v.number();
const time = v.number();

export function createRowSchemas({ flag, strings }: ColumnCodec) {
  return {
    UserRowSchema: rowSchema({
      id,
      name: v.string(),
      password_hash: v.string(),
      roles: strings,
      enabled: flag,
      created_at: time,
    }),
    TokenRowSchema: rowSchema({
      id,
      user_id: id,
      // The owner's user name, joined in for display.
      owner: v.string(),
      name: v.string(),
      description: v.string(),
      type: TokenTypeSchema,
      source: TokenSourceSchema,
      // SHA-256 of the token value, hex. The value itself is never stored.
      digest: v.string(),
      enabled: flag,
      restricted: flag,
      permissions: strings,
      created_at: time,
      saved_at: time,
      expires_at: time,
      last_used_at: v.nullable(time),
      // Where the last use came from: an IPv4 address or an IPv6 /64, and a client family (never the raw header).
      last_used_address: v.nullable(v.string()),
      last_used_client: v.nullable(v.string()),
      // When it was reported as leaked; null while it was not.
      exposed_at: v.nullable(time),
    }),
    // A token as the token cache keeps it (a pass of its refresh reads every active token): checked flat, in this
    // dialect's column forms, without the per-key renaming above.
    CacheableTokenRowSchema: v.pipe(
      v.object({
        id,
        user_id: id,
        name: v.string(),
        digest: v.string(),
        type: TokenTypeSchema,
        source: TokenSourceSchema,
        enabled: flag,
        restricted: flag,
        permissions: strings,
        created_at: time,
        expires_at: time,
        last_used_at: v.nullable(time),
      }),
      v.transform((row) => ({
        id: row.id,
        userId: row.user_id,
        name: row.name,
        digest: row.digest,
        type: row.type,
        source: row.source,
        enabled: row.enabled,
        restricted: row.restricted,
        permissions: row.permissions,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastUsedAt: row.last_used_at,
      })),
    ),
    // A lease: a short-lived value whose rights are its parent token's (SHA-256 digest, as for tokens).
    LeaseRowSchema: rowSchema({
      id,
      parent_id: id,
      user_id: id,
      digest: v.string(),
      created_at: time,
      expires_at: time,
      last_used_at: v.nullable(time),
    }),
    RepositoryRowSchema: rowSchema({
      id,
      name: v.string(),
      description: v.string(),
      // The user who created it, who may manage it; null once that user is deleted.
      owner_id: v.nullable(id),
      created_at: time,
    }),
    ItemRowSchema: rowSchema({
      id,
      repository_id: id,
      name: v.string(),
      // FME item type derived from the extension: WORKSPACE for .fmw, CUSTOM_FORMAT, TEMPLATE, FILE, …
      type: v.string(),
      content_type: v.string(),
      size: v.number(),
      created_at: time,
    }),
    // Names are kept for display, so the trail outlives deleted users and tokens; it belongs to the owner's
    // account id, which is null once that account is deleted.
    AuditRowSchema: rowSchema({
      id,
      at: time,
      event: AuditEventTypeSchema,
      owner_id: v.nullable(id),
      owner: v.string(),
      // Empty for an event about the account itself rather than one of its tokens.
      token_name: v.string(),
      token_type: v.pipe(
        v.union([TokenTypeSchema, v.literal('')]),
        v.transform((type) => (type === '' ? null : type)),
      ),
      actor: v.nullable(v.string()),
      client: v.nullable(v.string()),
      reason: v.nullable(v.string()),
    }),
  };
}

type Records = { [K in keyof RowSchemas]: v.InferOutput<RowSchemas[K]> };
export type RowSchemas = ReturnType<typeof createRowSchemas>;
export type UserRecord = Records['UserRowSchema'];
export type TokenRecord = Records['TokenRowSchema'];
export type LeaseRecord = Records['LeaseRowSchema'];
export type RepositoryRecord = Records['RepositoryRowSchema'];
export type ItemRecord = Records['ItemRowSchema'];
/** One token event (see AuditRowSchema). */
export type AuditRecord = Records['AuditRowSchema'];
