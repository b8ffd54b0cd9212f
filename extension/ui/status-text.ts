// The sentence the popup shows for each status; failures are worded by error code, not by raw message.
import type { ApiError } from '../../shared/api-client';
import type { PopupStatus } from '../core/model';

export function statusText(status: PopupStatus): string {
  switch (status.kind) {
    case 'idle':
      return '';
    case 'checking':
      return 'Checking…';
    case 'connected':
      return `Connected to ${status.version.version} (build ${status.version.buildNumber})`;
    case 'failed':
      return describeError(status.error, status.url);
    case 'problem':
      return status.message;
  }
}

export function describeError(error: ApiError, url: string): string {
  switch (error.code) {
    case 'NETWORK':
      return `The server at ${url} is unreachable.`;
    case 'HOST_ACCESS_REMOVED':
      return `Access to ${url} was removed in the browser, so tokenward cannot reach the server.`;
    case 'BAD_RESPONSE':
      return `${url} answered, but it is not a tokenward server.`;
    case 'NOT_FOUND':
      return `${url} has no tokenward version endpoint; check the path in the URL.`;
    case 'UNAUTHORIZED':
      return `The server at ${url} asks you to sign in again.`;
    case 'FORBIDDEN':
      return `The server at ${url} refused access.`;
    case 'RATE_LIMITED':
      return `The server at ${url} is limiting requests; try again in a moment.`;
    case 'STORE_UNAVAILABLE':
      return `The server at ${url} is up, but its token store is unavailable.`;
    case 'INTERNAL':
      return `The server at ${url} had an internal error; its log has the details.`;
    default:
      return `The server at ${url} answered with an error (${error.code}): ${error.message}`;
  }
}
