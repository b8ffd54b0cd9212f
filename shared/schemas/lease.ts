// Lease shapes: short-lived children of an API token (the mint body, the minted lease, the parent's summary).
import * as v from 'valibot';
import { ApiDateSchema } from './common';

export const LEASE_TTL_MIN_SECONDS = 60;
export const LEASE_TTL_MAX_SECONDS = 3600;
export const DEFAULT_LEASE_TTL_SECONDS = 900;
/** Live leases one token may have at once; minting past it ends the oldest. */
export const MAX_LEASES_PER_TOKEN = 50;

export const CreateLeaseBodySchema = v.pipe(
  v.strictObject({
    ttl: v.optional(
      v.pipe(
        v.number(),
        v.integer('must be a whole number of seconds'),
        v.minValue(LEASE_TTL_MIN_SECONDS, `must be at least ${LEASE_TTL_MIN_SECONDS} seconds`),
        v.maxValue(LEASE_TTL_MAX_SECONDS, `must be at most ${LEASE_TTL_MAX_SECONDS} seconds`),
      ),
    ),
  }),
  v.metadata({ ref: 'CreateLeaseBody' }),
);
export type CreateLeaseBody = v.InferInput<typeof CreateLeaseBodySchema>;

/** The one answer that carries a lease's value: 201 from minting it. */
export const LeaseSchema = v.pipe(
  v.object({
    token: v.string(),
    /** The earlier of the ttl and the parent token's expiry. */
    expirationDate: ApiDateSchema,
    parent: v.object({ user: v.string(), name: v.string() }),
  }),
  v.metadata({ ref: 'Lease' }),
);
export type Lease = v.InferOutput<typeof LeaseSchema>;

/** A token's leases as its owner sees them: how many are live, and when one was last used; never a value. */
export const LeaseSummarySchema = v.pipe(
  v.object({
    live: v.pipe(v.number(), v.integer(), v.minValue(0)),
    lastUsedDate: v.nullable(ApiDateSchema),
  }),
  v.metadata({ ref: 'LeaseSummary' }),
);
export type LeaseSummary = v.InferOutput<typeof LeaseSummarySchema>;
