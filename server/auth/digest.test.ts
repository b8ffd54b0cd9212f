// The token cache's key and the stored digest are the same SHA-256, and either gives the other back exactly.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenValue } from '../../shared/token-format';
import { digestOfKey, digestTokenValue, keyOfDigest, tokenKey } from './digest';

describe('token digests and cache keys', () => {
  it('keys a value by its SHA-256, one character a byte, the same digest as the stored hex', () => {
    const value = createTokenValue();
    const digest = createHash('sha256').update(value).digest();
    const key = tokenKey(value);
    expect(key).toHaveLength(32);
    expect([...key].map((c) => c.charCodeAt(0))).toEqual([...digest]);
    expect(digestTokenValue(value)).toBe(digest.toString('hex'));
    expect(digestOfKey(key)).toBe(digestTokenValue(value));
    expect(keyOfDigest(digestTokenValue(value))).toBe(key);
  });

  it('turns every byte value there and back, those past 0x7f and zero included', () => {
    // Eight digests that between them hold each of the 256 byte values, then random ones.
    const digests = Array.from({ length: 8 }, (_, i) =>
      Buffer.from(Array.from({ length: 32 }, (_, j) => i * 32 + j)).toString('hex'),
    );
    for (let i = 0; i < 200; i++) digests.push(randomBytes(32).toString('hex'));
    const keys = new Set<string>();
    for (const digest of digests) {
      const key = keyOfDigest(digest);
      expect(key).toHaveLength(32);
      expect(digestOfKey(key)).toBe(digest);
      keys.add(key);
    }
    expect(keys.size).toBe(digests.length);
  });
});
