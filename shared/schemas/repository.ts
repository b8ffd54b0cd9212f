// The protected sample API (SPEC §3.4): repositories and the items stored in them.
import * as v from 'valibot';
import { ApiDateSchema, freeText, textName } from './common';

export const RepositorySchema = v.object({
  name: v.string(),
  description: v.string(),
  /** The user who created it and may manage it; null for built-in repositories. */
  owner: v.nullable(v.string()),
  createdDate: ApiDateSchema,
});
export type Repository = v.InferOutput<typeof RepositorySchema>;

export const RepositoryListSchema = v.object({
  items: v.array(RepositorySchema),
  totalCount: v.pipe(v.number(), v.integer()),
  limit: v.pipe(v.number(), v.integer()),
  offset: v.pipe(v.number(), v.integer()),
});
export type RepositoryList = v.InferOutput<typeof RepositoryListSchema>;

// Repository names become part of permissions (repository/<name>:read), which use `/` and `:` as separators.
export const RepositoryNameSchema = v.pipe(
  textName(128),
  v.check((name) => !/[/:*]/.test(name), 'must not contain /, : or *'),
);

export const CreateRepositoryBodySchema = v.strictObject({
  name: RepositoryNameSchema,
  description: v.optional(freeText(1024)),
});
export type CreateRepositoryBody = v.InferInput<typeof CreateRepositoryBodySchema>;

export const ItemSchema = v.object({
  name: v.string(),
  repository: v.string(),
  type: v.string(),
  contentType: v.string(),
  size: v.pipe(v.number(), v.integer()),
  lastModified: ApiDateSchema,
});
export type Item = v.InferOutput<typeof ItemSchema>;

export const ItemListSchema = v.object({
  items: v.array(ItemSchema),
  totalCount: v.pipe(v.number(), v.integer()),
  limit: v.pipe(v.number(), v.integer()),
  offset: v.pipe(v.number(), v.integer()),
});
export type ItemList = v.InferOutput<typeof ItemListSchema>;

export const ItemListQuerySchema = v.object({ type: v.optional(v.pipe(v.string(), v.maxLength(64))) });
export const ItemQuerySchema = v.object({ accept: v.optional(v.picklist(['contents', 'json'])) });
