// The sentence the UI shows for a failed server call, chosen by error code rather than the raw message.
import * as v from 'valibot';
import type { ApiError } from '../../shared/api-client';

const RequiredSchema = v.object({ required: v.array(v.string()) });
const FieldsSchema = v.object({ fields: v.record(v.string(), v.string()) });

/** `details.required` of a 403 or a 422 PERMISSION_DEPENDENCIES: the permissions to name or offer. */
export function requiredPermissions(error: ApiError): string[] {
  const parsed = v.safeParse(RequiredSchema, error.details);
  return parsed.success ? parsed.output.required : [];
}

export function errorText(error: ApiError, server: string): string {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return `Your sign-in to ${server} has ended; sign in again.`;
    case 'FORBIDDEN': {
      const required = requiredPermissions(error);
      if (required.length === 0) return `The server refused: ${error.message}`;
      const s = required.length > 1 ? 's' : '';
      return `This needs the ${required.join(', ')} permission${s}, which you do not hold.`;
    }
    case 'NETWORK':
      return `The server at ${server} is unreachable.`;
    case 'HOST_ACCESS_REMOVED':
      return `Access to ${server} was removed in the browser, so tokenward cannot reach the server.`;
    case 'PERMISSION_DEPENDENCIES':
      return `These permissions also need ${requiredPermissions(error).join(', ')}.`;
    case 'NAME_TAKEN':
      return 'You already have a token with that name; choose another.';
    case 'TOKEN_NOT_FOUND':
      return 'That token no longer exists on the server.';
    case 'VALIDATION_FAILED': {
      const fields = v.safeParse(FieldsSchema, error.details);
      if (!fields.success) return `The server did not accept this: ${error.message}`;
      return Object.entries(fields.output.fields)
        .map(([field, problem]) => `${field} ${problem}.`)
        .join(' ');
    }
    case 'RATE_LIMITED':
      return `The server at ${server} is limiting requests; try again in a moment.`;
    case 'STORE_UNAVAILABLE':
      return `The server at ${server} is up, but its token store is unavailable.`;
    case 'INTERNAL':
      return `The server at ${server} had an internal error; its log has the details.`;
    case 'BAD_RESPONSE':
      return error.status === 0
        ? "tokenward's background did not answer; reload the extension and try again."
        : `${server} answered, but not the way a tokenward server does.`;
    default:
      // CONFLICT and the rest: the server's own sentence says what was refused.
      return error.message;
  }
}
