// Server identity and health shapes: /fmeinfo/version, /fmerest/v3/info, /healthz.
import * as v from 'valibot';
import { ApiDateSchema } from './common';

export const VersionSchema = v.object({
  build: v.string(),
  buildNumber: v.pipe(v.number(), v.integer()),
  version: v.string(),
});
export type Version = v.InferOutput<typeof VersionSchema>;

export const InfoSchema = v.object({
  ...VersionSchema.entries,
  currentTime: ApiDateSchema,
  timeZone: v.string(),
});
export type Info = v.InferOutput<typeof InfoSchema>;

export const HealthSchema = v.object({ status: v.picklist(['ok', 'unavailable']) });
export type Health = v.InferOutput<typeof HealthSchema>;
