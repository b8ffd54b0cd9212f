// The at-rest form of a token value: SHA-256, hex. In memory, the same digest in half the characters.
import { hash } from 'node:crypto';

// One-shot hashing (Node 20.12+): no Hash object per request on the hot path.
export function digestTokenValue(value: string): string {
  return hash('sha256', value, 'hex');
}

/**
 * The token cache's key for a token value: the same SHA-256 as its stored digest, one character a byte (latin1)
 * instead of two hex digits. A V8 string of 32 one-byte characters takes 48 bytes of heap instead of 80, and the
 * cache holds one per token; hashed and compared per request, it is also half as long.
 */
export function tokenKey(value: string): string {
  // 'binary' is Node's other name for latin1 (the one its types allow here).
  return hash('sha256', value, 'binary');
}

/** The cache key of a stored (hex) digest. */
export function keyOfDigest(digest: string): string {
  return Buffer.from(digest, 'hex').toString('latin1');
}

/** The stored (hex) digest of a cache key: what the store is asked for on a miss. */
export function digestOfKey(key: string): string {
  return Buffer.from(key, 'latin1').toString('hex');
}
