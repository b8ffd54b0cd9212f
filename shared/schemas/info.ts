// Server identity and health shapes: /fmeinfo/version, /fmerest/v3/info, the health checks.
import * as v from 'valibot';
import { IntegerSchema } from './common';

/** FME's fields (Safe's CLI reads buildNumber to choose between REST v3 and v4), plus ours. */
export const VersionSchema = v.pipe(
  v.object({
    buildNumber: IntegerSchema,
    buildString: v.string(),
    releaseYear: IntegerSchema,
    majorVersion: IntegerSchema,
    minorVersion: IntegerSchema,
    hotfixVersion: IntegerSchema,
    build: v.string(),
    version: v.string(),
  }),
  v.metadata({ ref: 'Version' }),
);
export type Version = v.InferOutput<typeof VersionSchema>;

/** FME's /info time, e.g. "Mon-14-Nov-2022 07:20:24 PM" (in the server's zone, given by timeZone). */
export const FmeInfoTimeSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Z][a-z]{2}-\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} [AP]M$/),
);

export const InfoSchema = v.pipe(
  v.object({
    build: v.string(),
    version: v.string(),
    currentTime: FmeInfoTimeSchema,
    /** A UTC offset such as "+0000", as FME sends it. */
    timeZone: v.pipe(v.string(), v.regex(/^[+-]\d{4}$/)),
    licenseManagement: v.boolean(),
  }),
  v.metadata({ ref: 'Info' }),
);
export type Info = v.InferOutput<typeof InfoSchema>;

/** /healthz, /fmerest/v3/healthcheck and /fmeapiv4/healthcheck/{liveness,readiness}. */
export const HealthSchema = v.pipe(
  v.object({
    status: v.picklist(['ok', 'unavailable']),
    message: v.string(),
  }),
  v.metadata({ ref: 'Health' }),
);
export type Health = v.InferOutput<typeof HealthSchema>;

export const HealthQuerySchema = v.object({ ready: v.optional(v.picklist(['true', 'false'])) });
