// When a web session renews itself: a pure function of the token, the time and the policy.
import type { SessionPolicy } from '../config';
import type { TokenRecord } from '../store/store';

type SessionTimes = Pick<TokenRecord, 'type' | 'source' | 'createdAt' | 'expiresAt'>;

/**
 * The new expiry of a web session used at `now`, or undefined when it stays as it is: only while it is
 * still valid, only inside the renewal window, never past the absolute cap after sign-in.
 */
export function renewedSessionExpiry(
  token: SessionTimes,
  now: number,
  policy: SessionPolicy,
): number | undefined {
  if (token.type !== 'SESSION' || token.source !== 'web') return undefined;
  if (now >= token.expiresAt || token.expiresAt - now >= policy.renewWindowSeconds) return undefined;
  const renewed = Math.min(now + policy.webSeconds, token.createdAt + policy.maxWebSeconds);
  return renewed > token.expiresAt ? renewed : undefined;
}
