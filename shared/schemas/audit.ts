// The audit trail of token and account events, as GET /fmerest/v3/security/audit returns it.
import * as v from 'valibot';
import { ApiDateSchema, pageOf } from './common';
import { TokenTypeSchema } from './token';

export const AUDIT_EVENTS = [
  'created',
  'duplicated',
  'enabled',
  'disabled',
  'updated',
  'removed',
  'expired_use',
  'failed_use',
  /** The token was sent as a `fmetoken` query or form parameter (recorded at most once a minute). */
  'query_string_use',
  /** An operator enabled the account and gave it fmeadmin from the command line (`npm run admin:restore`). */
  'account_restored',
  /** The token was reported as leaked (POST /fmerest/v3/tokens/revoke) and disabled; or a lease of it, ended. */
  'exposed',
  /** The first use of the token from an address (an IPv4 address or an IPv6 /64) it was never used from; reason is the client family. */
  'used_from_new_address',
] as const;
export const AuditEventTypeSchema = v.picklist(AUDIT_EVENTS);
export type AuditEventType = v.InferOutput<typeof AuditEventTypeSchema>;

export const AuditEventSchema = v.pipe(
  v.object({
    time: ApiDateSchema,
    event: AuditEventTypeSchema,
    /** The token's owner. */
    user: v.string(),
    /** Empty, with tokenType null, for an event about the account itself. */
    token: v.string(),
    tokenType: v.nullable(TokenTypeSchema),
    /** Who did it: the owner, an administrator acting on another user's token, or null for a use. */
    actor: v.nullable(v.string()),
    client: v.nullable(v.string()),
    /** Why a use failed (disabled, owner_disabled), what a duplicate was made from, or which client a first use from an address was. */
    reason: v.nullable(v.string()),
  }),
  v.metadata({ ref: 'AuditEvent' }),
);
export type AuditEvent = v.InferOutput<typeof AuditEventSchema>;

export const AuditListSchema = pageOf('AuditList', AuditEventSchema);
export type AuditList = v.InferOutput<typeof AuditListSchema>;

const queryInteger = v.pipe(
  v.string(),
  v.regex(/^-?\d{1,9}$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(-1, 'must be -1 or more'),
);

export const AuditQuerySchema = v.object({
  /** Your own events by default; another user's or `*` needs usermanagement:manage. */
  user: v.optional(v.pipe(v.string(), v.maxLength(256))),
  token: v.optional(v.pipe(v.string(), v.maxLength(512))),
  limit: v.optional(queryInteger),
  offset: v.optional(queryInteger),
});
