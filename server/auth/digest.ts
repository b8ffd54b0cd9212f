// The at-rest form of a token value: SHA-256, hex.
import { createHash } from 'node:crypto';

export function digestTokenValue(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
