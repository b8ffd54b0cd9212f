// FME's v4 API shapes that FME clients are known to use (token create, repositories, workspaces).
import * as v from 'valibot';
import {
  ApiDateMillisSchema,
  ApiDateSchema,
  freeText,
  IntegerSchema,
  PageQuerySchema,
  pageOf,
  QueryIntegerSchema,
} from './common';
import {
  MAX_TOKEN_LIFETIME_SECONDS,
  PermissionSchema,
  TOKEN_DESCRIPTION_MAX,
  TokenNameSchema,
} from './token';

/** POST /fmeapiv4/tokens, as Safe's CLI sends it; v3's user→owner, restricted→customPermissions. */
export const CreateTokenV4BodySchema = v.pipe(
  v.strictObject({
    name: TokenNameSchema,
    description: v.optional(freeText(TOKEN_DESCRIPTION_MAX)),
    enabled: v.optional(v.boolean()),
    customPermissions: v.optional(v.boolean()),
    /** tokenward's permission strings; needed when customPermissions is true. */
    permissions: v.optional(v.pipe(v.array(PermissionSchema), v.maxLength(200))),
    secondsToExpiry: v.optional(
      v.pipe(
        v.number(),
        v.integer('must be a whole number of seconds'),
        v.minValue(1, 'must be at least 1 second: tokens always expire'),
        v.maxValue(MAX_TOKEN_LIFETIME_SECONDS, 'must be at most 10 years'),
      ),
    ),
  }),
  v.metadata({ ref: 'CreateTokenV4Body' }),
);
export type CreateTokenV4Body = v.InferInput<typeof CreateTokenV4BodySchema>;

/** The 201 answer: the only one that carries the value (`token`). Dates in RFC 3339 with milliseconds. */
export const CreatedTokenV4Schema = v.pipe(
  v.object({
    name: v.string(),
    description: v.string(),
    owner: v.string(),
    type: v.literal('USER'),
    customPermissions: v.boolean(),
    permissions: v.optional(v.array(v.string())),
    enabled: v.boolean(),
    created: ApiDateMillisSchema,
    updated: ApiDateMillisSchema,
    /** Seconds from now until the token expires. */
    secondsToExpiry: IntegerSchema,
    expiration: ApiDateMillisSchema,
    token: v.string(),
  }),
  v.metadata({ ref: 'CreatedTokenV4' }),
);
export type CreatedTokenV4 = v.InferOutput<typeof CreatedTokenV4Schema>;

export const RepositoryV4Schema = v.pipe(
  v.object({
    name: v.string(),
    description: v.string(),
    /** The owner's name, and their id as FME sends it (a string); null for built-in repositories. */
    owner: v.nullable(v.string()),
    ownerID: v.nullable(v.string()),
    sharable: v.boolean(),
    fileCount: IntegerSchema,
    totalFileSize: IntegerSchema,
    workspaceCount: IntegerSchema,
    customFormatCount: IntegerSchema,
    customTransformerCount: IntegerSchema,
    templateCount: IntegerSchema,
    createdDate: ApiDateSchema,
  }),
  v.metadata({ ref: 'RepositoryV4' }),
);
export type RepositoryV4 = v.InferOutput<typeof RepositoryV4Schema>;

export const RepositoryV4ListSchema = pageOf('RepositoryV4List', RepositoryV4Schema);
export type RepositoryV4List = v.InferOutput<typeof RepositoryV4ListSchema>;

const FilterStringSchema = v.pipe(v.string(), v.maxLength(256));

/** `filterString` matches names and descriptions, ignoring case. */
export const RepositoryV4ListQuerySchema = v.object({
  ...PageQuerySchema.entries,
  filterString: v.optional(FilterStringSchema),
});

export const WorkspaceV4Schema = v.pipe(
  v.object({
    name: v.string(),
    title: v.string(),
    description: v.string(),
    repositoryName: v.string(),
    type: v.string(),
    lastSaveDate: ApiDateSchema,
    lastPublishDate: ApiDateSchema,
    lastPublishUser: v.nullable(v.string()),
    userName: v.nullable(v.string()),
    fileSize: IntegerSchema,
    totalFileSize: IntegerSchema,
    fileCount: IntegerSchema,
    totalRuns: IntegerSchema,
    favorite: v.boolean(),
  }),
  v.metadata({ ref: 'WorkspaceV4' }),
);
export type WorkspaceV4 = v.InferOutput<typeof WorkspaceV4Schema>;

export const WorkspaceV4ListSchema = pageOf('WorkspaceV4List', WorkspaceV4Schema);
export type WorkspaceV4List = v.InferOutput<typeof WorkspaceV4ListSchema>;

/** Workspaces of one repository, or of every readable one. */
export const WorkspaceV4ListQuerySchema = v.object({
  limit: v.optional(QueryIntegerSchema),
  offset: v.optional(QueryIntegerSchema),
  repository: v.optional(v.pipe(v.string(), v.maxLength(512))),
  filterString: v.optional(FilterStringSchema),
});
