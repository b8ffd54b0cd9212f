// The at-rest form of a token value: SHA-256, hex.
import { hash } from 'node:crypto';

// One-shot hashing (Node 20.12+): no Hash object per request on the hot path.
export function digestTokenValue(value: string): string {
  return hash('sha256', value, 'hex');
}
