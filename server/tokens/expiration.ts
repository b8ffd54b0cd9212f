// Resolves expirationTimeout / expirationDate into an expiry time, within the allowed limits.
import { parseIsoTimestamp } from '../../shared/schemas/common';
import { latestTokenExpiry } from '../../shared/schemas/token';
import { validationFailed } from '../errors';

export interface ExpirationInput {
  expirationTimeout?: number | undefined;
  expirationDate?: string | undefined;
}

/** The expiry in epoch seconds, or undefined when the input names none. Throws 422 naming the field. */
export function resolveExpiration(input: ExpirationInput, now: number): number | undefined {
  const { expirationTimeout, expirationDate } = input;
  if (expirationTimeout !== undefined && expirationDate !== undefined) {
    throw validationFailed({ expirationDate: 'give expirationTimeout or expirationDate, not both' });
  }
  // Ten calendar years, not a fixed number of days: the schemas let through up to the longest ten years can be.
  const latest = latestTokenExpiry(now);
  if (expirationTimeout !== undefined) {
    if (now + expirationTimeout > latest)
      throw validationFailed({ expirationTimeout: 'must be at most 10 years' });
    return now + expirationTimeout;
  }
  if (expirationDate === undefined) return undefined;
  const expiresAt = Math.floor(parseIsoTimestamp(expirationDate) / 1000);
  if (!Number.isFinite(expiresAt)) throw validationFailed({ expirationDate: 'must be an ISO 8601 date' });
  if (expiresAt <= now) throw validationFailed({ expirationDate: 'must be in the future' });
  if (expiresAt > latest) {
    throw validationFailed({ expirationDate: 'must be at most 10 years from now' });
  }
  return expiresAt;
}
