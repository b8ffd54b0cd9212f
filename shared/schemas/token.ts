// Token shapes: the token as returned, the list envelope, and the create/update/duplicate bodies.
import * as v from 'valibot';
import { isKnownPermission } from '../permissions';
import { ApiDateSchema, freeText, isCalendarDate, pageOf, textName } from './common';

export const TOKEN_NAME_MAX = 128;
export const TOKEN_DESCRIPTION_MAX = 1024;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600;
/** A token lives at most this many calendar years: see latestTokenExpiry. */
export const MAX_TOKEN_LIFETIME_YEARS = 10;
/**
 * The longest that ten calendar years can be (3,653 days, when they hold three 29 Februaries): the bound a
 * schema can check without a clock. The limit itself is latestTokenExpiry(now), which the server applies.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = (MAX_TOKEN_LIFETIME_YEARS * 365 + 3) * 24 * 3600;

/**
 * The latest expiry (epoch seconds) of a token whose expiration is set at `now` (epoch seconds): ten calendar
 * years later, at the same time of day (UTC). From 29 February, the tenth year's 28 February, which is within
 * ten years where 1 March is not.
 */
export function latestTokenExpiry(now: number): number {
  const start = new Date(now * 1000);
  const latest = new Date(start.getTime());
  latest.setUTCFullYear(start.getUTCFullYear() + MAX_TOKEN_LIFETIME_YEARS);
  // 29 February of a year that has none rolled over to 1 March: step back to the month's last day.
  if (latest.getUTCMonth() !== start.getUTCMonth()) latest.setUTCDate(0);
  return Math.floor(latest.getTime() / 1000);
}

export const TokenTypeSchema = v.picklist(['USER', 'SESSION']);
export type TokenType = v.InferOutput<typeof TokenTypeSchema>;
export const TokenSourceSchema = v.picklist(['api', 'web', 'apidoc', 'tokenservice']);
export type TokenSource = v.InferOutput<typeof TokenSourceSchema>;

export const PermissionSchema = v.pipe(
  v.string(),
  v.maxLength(200),
  v.check(isKnownPermission, 'is not a permission of the catalogue'),
);
const PermissionsSchema = v.pipe(v.array(PermissionSchema), v.maxLength(200));

const TOKEN_ENTRIES = {
  name: v.string(),
  description: v.string(),
  user: v.string(),
  type: TokenTypeSchema,
  source: TokenSourceSchema,
  enabled: v.boolean(),
  expired: v.boolean(),
  restricted: v.boolean(),
  permissions: v.optional(v.array(v.string())),
  createdDate: ApiDateSchema,
  lastSaveDate: ApiDateSchema,
  expirationDate: ApiDateSchema,
  lastUsedDate: v.nullable(ApiDateSchema),
  current: v.boolean(),
  /** Reported as leaked (POST /tokens/revoke), and so disabled; absent from older servers. */
  exposed: v.optional(v.boolean()),
  exposedDate: v.optional(v.nullable(ApiDateSchema)),
  /** Where the last use came from: an IPv4 address, or an IPv6 address's /64; absent from older servers. */
  lastUsedAddress: v.optional(v.nullable(v.string())),
  /** Which kind of client made the last use ("Chrome", "curl", "FME Form", … or "Other"), never its User-Agent. */
  lastUsedClient: v.optional(v.nullable(v.string())),
};
export const TokenSchema = v.pipe(v.object(TOKEN_ENTRIES), v.metadata({ ref: 'Token' }));
export type Token = v.InferOutput<typeof TokenSchema>;

/** The one answer that carries the value: 201 from create or duplicate. */
export const CreatedTokenSchema = v.pipe(
  v.object({ ...TOKEN_ENTRIES, token: v.string() }),
  v.metadata({ ref: 'CreatedToken' }),
);
export type CreatedToken = v.InferOutput<typeof CreatedTokenSchema>;

export const TokenListSchema = pageOf('TokenList', TokenSchema, {
  /** The cursor of the next page (pass it as `after`), null on the last one; absent from older servers. */
  next: v.optional(v.nullable(v.string())),
});
export type TokenList = v.InferOutput<typeof TokenListSchema>;

export const TokenNameSchema = textName(TOKEN_NAME_MAX);
const DescriptionSchema = freeText(TOKEN_DESCRIPTION_MAX);
const ExpirationTimeoutSchema = v.pipe(
  v.number(),
  v.integer('must be a whole number of seconds'),
  v.minValue(1, 'must be at least 1 second: tokens always expire'),
  v.maxValue(MAX_TOKEN_LIFETIME_SECONDS, 'must be at most 10 years'),
);
const ExpirationDateSchema = v.pipe(
  v.string(),
  v.maxLength(64),
  v.isoTimestamp('must be an ISO 8601 date'),
  v.check(isCalendarDate, 'must be a date the calendar has (there is no 30 February)'),
);

// Rules that relate two fields (one expiration, permissions only when restricted) are checked by the
// server's token service, which names the field in the same 422 shape.
export const CreateTokenBodySchema = v.pipe(
  v.strictObject({
    name: TokenNameSchema,
    description: v.optional(DescriptionSchema),
    expirationTimeout: v.optional(ExpirationTimeoutSchema),
    expirationDate: v.optional(ExpirationDateSchema),
    enabled: v.optional(v.boolean()),
    restricted: v.optional(v.boolean()),
    permissions: v.optional(PermissionsSchema),
    user: v.optional(v.pipe(v.string(), v.maxLength(256))),
  }),
  v.metadata({ ref: 'CreateTokenBody' }),
);
export type CreateTokenBody = v.InferInput<typeof CreateTokenBodySchema>;

export const UpdateTokenBodySchema = v.pipe(
  v.strictObject({
    description: v.optional(DescriptionSchema),
    expirationTimeout: v.optional(ExpirationTimeoutSchema),
    expirationDate: v.optional(ExpirationDateSchema),
    enabled: v.optional(v.boolean()),
    restricted: v.optional(v.boolean()),
    permissions: v.optional(PermissionsSchema),
  }),
  v.metadata({ ref: 'UpdateTokenBody' }),
);
export type UpdateTokenBody = v.InferInput<typeof UpdateTokenBodySchema>;

export const DuplicateTokenBodySchema = v.pipe(
  v.strictObject({
    name: TokenNameSchema,
    description: v.optional(DescriptionSchema),
    expirationTimeout: v.optional(ExpirationTimeoutSchema),
    expirationDate: v.optional(ExpirationDateSchema),
    enabled: v.optional(v.boolean()),
  }),
  v.metadata({ ref: 'DuplicateTokenBody' }),
);
export type DuplicateTokenBody = v.InferInput<typeof DuplicateTokenBodySchema>;

/** Values found where they should not be (a repository, a log), reported by anyone: POST /tokens/revoke. */
export const REPORTED_TOKENS_MAX = 100;
export const ReportLeakedTokensBodySchema = v.pipe(
  v.strictObject({
    tokens: v.pipe(
      v.array(v.pipe(v.string(), v.maxLength(200))),
      v.minLength(1, 'must name at least one value'),
      v.maxLength(REPORTED_TOKENS_MAX, `must name at most ${REPORTED_TOKENS_MAX} values`),
    ),
  }),
  v.metadata({ ref: 'ReportLeakedTokensBody' }),
);
export type ReportLeakedTokensBody = v.InferInput<typeof ReportLeakedTokensBodySchema>;

/** The answer to a report, whatever the values were: nothing that tells which were real. */
export const ReportAcceptedSchema = v.pipe(v.strictObject({}), v.metadata({ ref: 'ReportAccepted' }));

const queryInteger = v.pipe(
  v.string(),
  v.regex(/^-?\d{1,9}$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(-1, 'must be -1 or more'),
);

/** Query of GET /tokens; other parameters (such as fmetoken) pass through untouched. */
export const ListTokensQuerySchema = v.object({
  limit: v.optional(queryInteger),
  offset: v.optional(queryInteger),
  type: v.optional(TokenTypeSchema),
  status: v.optional(v.picklist(['active', 'expired'])),
  user: v.optional(v.pipe(v.string(), v.maxLength(256))),
  /** A `next` cursor from a previous page: the page that follows it (with offset 0 or none). */
  after: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export type ListTokensQuery = v.InferInput<typeof ListTokensQuerySchema>;
