// The rows of both stores as records: one definition, with each store's way of keeping booleans and lists.
import * as v from 'valibot';
import { AuditEventTypeSchema } from '../../shared/schemas/audit';
import { TokenSourceSchema, TokenTypeSchema } from '../../shared/schemas/token';
import type { AuditRecord, ItemRecord, RepositoryRecord, TokenRecord, UserRecord } from './store';

export interface ColumnCodec {
  /** A boolean column: 0/1 in SQLite, BOOLEAN in PostgreSQL. */
  flag: v.GenericSchema<unknown, boolean>;
  /** A list of strings: JSON text in SQLite, TEXT[] in PostgreSQL. */
  strings: v.GenericSchema<unknown, string[]>;
}

export function createRowSchemas({ flag, strings }: ColumnCodec) {
  const UserRowSchema = v.pipe(
    v.object({
      id: v.number(),
      name: v.string(),
      password_hash: v.string(),
      roles: strings,
      enabled: flag,
      created_at: v.number(),
    }),
    v.transform(
      (r): UserRecord => ({
        id: r.id,
        name: r.name,
        passwordHash: r.password_hash,
        roles: r.roles,
        enabled: r.enabled,
        createdAt: r.created_at,
      }),
    ),
  );

  const TokenRowSchema = v.pipe(
    v.object({
      id: v.number(),
      user_id: v.number(),
      owner: v.string(),
      name: v.string(),
      description: v.string(),
      type: TokenTypeSchema,
      source: TokenSourceSchema,
      digest: v.string(),
      enabled: flag,
      restricted: flag,
      permissions: strings,
      created_at: v.number(),
      saved_at: v.number(),
      expires_at: v.number(),
      last_used_at: v.nullable(v.number()),
    }),
    v.transform(
      (r): TokenRecord => ({
        id: r.id,
        userId: r.user_id,
        owner: r.owner,
        name: r.name,
        description: r.description,
        type: r.type,
        source: r.source,
        digest: r.digest,
        enabled: r.enabled,
        restricted: r.restricted,
        permissions: r.permissions,
        createdAt: r.created_at,
        savedAt: r.saved_at,
        expiresAt: r.expires_at,
        lastUsedAt: r.last_used_at,
      }),
    ),
  );

  const RepositoryRowSchema = v.pipe(
    v.object({
      id: v.number(),
      name: v.string(),
      description: v.string(),
      owner_id: v.nullable(v.number()),
      created_at: v.number(),
    }),
    v.transform(
      (r): RepositoryRecord => ({
        id: r.id,
        name: r.name,
        description: r.description,
        ownerId: r.owner_id,
        createdAt: r.created_at,
      }),
    ),
  );

  const ItemRowSchema = v.pipe(
    v.object({
      id: v.number(),
      repository_id: v.number(),
      name: v.string(),
      type: v.string(),
      content_type: v.string(),
      size: v.number(),
      created_at: v.number(),
    }),
    v.transform(
      (r): ItemRecord => ({
        id: r.id,
        repositoryId: r.repository_id,
        name: r.name,
        type: r.type,
        contentType: r.content_type,
        size: r.size,
        createdAt: r.created_at,
      }),
    ),
  );

  const AuditRowSchema = v.pipe(
    v.object({
      id: v.number(),
      at: v.number(),
      event: AuditEventTypeSchema,
      owner_id: v.nullable(v.number()),
      owner: v.string(),
      token_name: v.string(),
      token_type: TokenTypeSchema,
      actor: v.nullable(v.string()),
      client: v.nullable(v.string()),
      reason: v.nullable(v.string()),
    }),
    v.transform(
      (r): AuditRecord => ({
        id: r.id,
        at: r.at,
        event: r.event,
        ownerId: r.owner_id,
        owner: r.owner,
        tokenName: r.token_name,
        tokenType: r.token_type,
        actor: r.actor,
        client: r.client,
        reason: r.reason,
      }),
    ),
  );

  return { UserRowSchema, TokenRowSchema, RepositoryRowSchema, ItemRowSchema, AuditRowSchema };
}
