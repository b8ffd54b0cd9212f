// The opaque cursor of token pages: a token's place in the listing's order (never its digest), base64url JSON.
import * as v from 'valibot';
import type { TokenPosition } from '../store/store';

const PositionSchema = v.pipe(
  v.tuple([v.pipe(v.number(), v.safeInteger()), v.pipe(v.number(), v.safeInteger(), v.minValue(1))]),
  v.transform(([createdAt, id]): TokenPosition => ({ createdAt, id })),
);

export function encodeCursor({ createdAt, id }: TokenPosition): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this server made. */
export function decodeCursor(cursor: string): TokenPosition | undefined {
  if (!/^[\w-]{1,100}$/.test(cursor)) return undefined;
  try {
    const result = v.safeParse(PositionSchema, JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}
