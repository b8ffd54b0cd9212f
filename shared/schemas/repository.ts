// The protected sample API: repositories and the items stored in them, with FME's field names.
import * as v from 'valibot';
import { ApiDateSchema, freeText, IntegerSchema, PageQuerySchema, pageOf, textName } from './common';

export const RepositorySchema = v.pipe(
  v.object({
    name: v.string(),
    description: v.string(),
    /** The user who created it and may manage it; null for built-in repositories. */
    owner: v.nullable(v.string()),
    /** FME's flag; every tokenward repository can be shared through permissions. */
    sharable: v.boolean(),
    createdDate: ApiDateSchema,
  }),
  v.metadata({ ref: 'Repository' }),
);
export type Repository = v.InferOutput<typeof RepositorySchema>;

export const RepositoryListSchema = pageOf('RepositoryList', RepositorySchema);
export type RepositoryList = v.InferOutput<typeof RepositoryListSchema>;

// Repository names become part of permissions (repository/<name>:read), which use `/` and `:` as separators.
export const RepositoryNameSchema = v.pipe(
  textName(128),
  v.check((name) => !/[/:*]/.test(name), 'must not contain /, : or *'),
);

/** Sent as JSON, or (as FME's own clients do) as a form with the same fields. */
export const CreateRepositoryBodySchema = v.pipe(
  v.strictObject({
    name: RepositoryNameSchema,
    description: v.optional(freeText(1024)),
  }),
  v.metadata({ ref: 'CreateRepositoryBody' }),
);
export type CreateRepositoryBody = v.InferInput<typeof CreateRepositoryBodySchema>;

export const RepositoryListQuerySchema = v.object({
  ...PageQuerySchema.entries,
  /** Only repositories this user owns (FME's v3 filter). */
  owner: v.optional(v.pipe(v.string(), v.maxLength(256))),
});

export const ItemSchema = v.pipe(
  v.object({
    name: v.string(),
    /** The name without its extension, as FME titles a workspace. */
    title: v.string(),
    description: v.string(),
    repository: v.string(),
    repositoryName: v.string(),
    type: v.string(),
    contentType: v.string(),
    size: IntegerSchema,
    fileSize: IntegerSchema,
    totalFileSize: IntegerSchema,
    fileCount: IntegerSchema,
    /** tokenward stores items but never runs them. */
    totalRuns: IntegerSchema,
    /** The owner of the repository the item is in; null for built-in repositories. */
    userName: v.nullable(v.string()),
    lastSaveDate: ApiDateSchema,
    lastPublishDate: ApiDateSchema,
    lastModified: ApiDateSchema,
  }),
  v.metadata({ ref: 'Item' }),
);
export type Item = v.InferOutput<typeof ItemSchema>;

export const ItemListSchema = pageOf('ItemList', ItemSchema);
export type ItemList = v.InferOutput<typeof ItemListSchema>;

export const ItemListQuerySchema = v.object({
  ...PageQuerySchema.entries,
  type: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
export const ItemQuerySchema = v.object({ accept: v.optional(v.picklist(['contents', 'json'])) });
