import { describe, expect, it } from 'vitest';
import { renewedSessionExpiry } from './session-policy';

const policy = { webSeconds: 1800, renewWindowSeconds: 300, maxWebSeconds: 43200, apidocSeconds: 3600 };
const web = (createdAt: number, expiresAt: number) => ({
  type: 'SESSION' as const,
  source: 'web' as const,
  createdAt,
  expiresAt,
});

describe('renewedSessionExpiry', () => {
  it.each([
    ['well before the window: unchanged', web(0, 1800), 1000, undefined],
    ['just outside the window (5:00 left): unchanged', web(0, 1800), 1500, undefined],
    ['inside the window (4:59 left): 30 minutes from now', web(0, 1800), 1501, 3301],
    ['last second: 30 minutes from now', web(0, 1800), 1799, 3599],
    ['at expiry: never revived', web(0, 1800), 1800, undefined],
    ['after expiry: never revived', web(0, 1800), 5000, undefined],
    ['near the 12 h cap: renewed only up to the cap', web(0, 42000), 41800, 43200],
    ['at the cap already: unchanged', web(0, 43200), 43000, undefined],
  ])('%s', (_name, token, now, expected) => {
    expect(renewedSessionExpiry(token, now, policy)).toBe(expected);
  });

  it.each([
    [
      'an apidoc token',
      { type: 'SESSION' as const, source: 'apidoc' as const, createdAt: 0, expiresAt: 3600 },
    ],
    [
      'a token-service token',
      { type: 'SESSION' as const, source: 'tokenservice' as const, createdAt: 0, expiresAt: 3600 },
    ],
    ['an API token', { type: 'USER' as const, source: 'api' as const, createdAt: 0, expiresAt: 3600 }],
  ])('never renews %s', (_name, token) => {
    expect(renewedSessionExpiry(token, 3500, policy)).toBeUndefined();
  });
});
