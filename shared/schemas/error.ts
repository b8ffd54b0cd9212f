// The error body every non-2xx answer carries: {message, code, details?}.
import * as v from 'valibot';
import { ServerErrorCodeSchema } from '../errors';

export const ErrorBodySchema = v.pipe(
  v.object({
    message: v.string(),
    code: ServerErrorCodeSchema,
    details: v.optional(v.record(v.string(), v.unknown())),
  }),
  v.metadata({ ref: 'ErrorBody' }),
);
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;
