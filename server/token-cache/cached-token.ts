// A verified token as the token cache holds it: a few hundred bytes, its owner shared, its permissions interned.
import { type TokenSource, TokenSourceSchema, type TokenType } from '../../shared/schemas/token';
import type { CacheableToken, UserRecord } from '../store/store';

/** All a request learns of the token that authenticated it (a TokenRecord has these and more). */
export interface CallerToken {
  readonly id: number;
  readonly userId: number;
  /** The owner's user name. */
  readonly owner: string;
  readonly name: string;
  readonly type: TokenType;
  readonly source: TokenSource;
  readonly enabled: boolean;
  readonly restricted: boolean;
  readonly permissions: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastUsedAt: number | null;
  /**
   * Set when the request presented a lease of this token (server/leases/): it acts with the token's rights, and
   * its use is the token's use and its own.
   */
  readonly lease?: { readonly id: number; readonly lastUsedAt: number | null };
}

/** One user as the cache knows them, shared by all their cached tokens; marked stale when they change. */
export class CachedOwner {
  /** Set when any change to the user reaches the cache: their tokens are then no longer trusted. */
  stale = false;
  /** The grants of this owner's tokens, by (interned) permission list, then by their small facts. */
  private readonly grants = new Map<readonly string[], TokenGrant[]>();
  constructor(readonly user: UserRecord) {}

  /** The one grant for these facts and this interned permission list. */
  grantOf(facts: number, permissions: readonly string[]): TokenGrant {
    let same = this.grants.get(permissions);
    if (same === undefined) {
      same = [];
      this.grants.set(permissions, same);
    }
    for (const grant of same) if (grant.facts === facts) return grant;
    const grant = new TokenGrant(this, facts, permissions);
    same.push(grant);
    return grant;
  }
}

/**
 * What most of one owner's tokens have in common: the owner, the small facts (packed in one number) and the
 * permission list. Held once and pointed at by each entry, so an entry keeps one reference instead of three.
 */
export class TokenGrant {
  constructor(
    readonly holder: CachedOwner,
    readonly facts: number,
    readonly permissions: readonly string[],
  ) {}
}

const SOURCES: readonly TokenSource[] = TokenSourceSchema.options;
const ENABLED = 1;
const RESTRICTED = 2;
const SESSION = 4;
const SOURCE_SHIFT = 3;

/** The small facts of a token in one number: two flags, the type and the source. */
export function packedFacts(
  token: Pick<CacheableToken, 'enabled' | 'restricted' | 'type' | 'source'>,
): number {
  const source = SOURCES.indexOf(token.source);
  // -1 shifted would set every flag bit: a disabled token would read as enabled.
  if (source < 0) throw new Error(`unknown token source: ${token.source}`);
  return (
    (token.enabled ? ENABLED : 0) |
    (token.restricted ? RESTRICTED : 0) |
    (token.type === 'SESSION' ? SESSION : 0) |
    (source << SOURCE_SHIFT)
  );
}

/**
 * One cached token: numbers and one shared reference in a fixed shape, read by every request that presents it.
 * The grant (owner, facts, permission list) is shared with the owner's like tokens; the name is the one string
 * of its own besides its key.
 */
export class CachedToken implements CallerToken {
  constructor(
    readonly id: number,
    /** The token cache's key for it (server/auth/digest.ts's tokenKey). */
    readonly key: string,
    readonly name: string,
    readonly grant: TokenGrant,
    readonly createdAt: number,
    readonly expiresAt: number,
    /** Moves forward as uses are written (the once-a-minute rule reads it). */
    public lastUsedAt: number | null,
    /** When the store last confirmed this entry, in the cache's own milliseconds. */
    public confirmedAt: number,
  ) {}

  /** The entry for a token as the store has it, with its shared owner and (interned) permission list. */
  static of(
    row: CacheableToken,
    key: string,
    holder: CachedOwner,
    permissions: readonly string[],
    confirmedAt: number,
  ): CachedToken {
    return new CachedToken(
      row.id,
      key,
      row.name,
      holder.grantOf(packedFacts(row), permissions),
      row.createdAt,
      row.expiresAt,
      row.lastUsedAt,
      confirmedAt,
    );
  }

  get holder(): CachedOwner {
    return this.grant.holder;
  }

  get permissions(): readonly string[] {
    return this.grant.permissions;
  }

  get userId(): number {
    return this.grant.holder.user.id;
  }

  get owner(): string {
    return this.grant.holder.user.name;
  }

  get enabled(): boolean {
    return (this.grant.facts & ENABLED) !== 0;
  }

  get restricted(): boolean {
    return (this.grant.facts & RESTRICTED) !== 0;
  }

  get type(): TokenType {
    return (this.grant.facts & SESSION) !== 0 ? 'SESSION' : 'USER';
  }

  get source(): TokenSource {
    return SOURCES[this.grant.facts >> SOURCE_SHIFT] ?? 'api';
  }

  /** What a log line or a JSON body would show: the token's own fields, never its owner's account record. */
  toJSON(): CallerToken {
    return withExpiry(this, this.expiresAt);
  }

  /** True when a freshly read row says what this entry says (its last use aside, which only moves forward). */
  matches(row: CacheableToken, holder: CachedOwner, permissions: readonly string[]): boolean {
    return (
      row.id === this.id &&
      holder === this.grant.holder &&
      permissions === this.grant.permissions &&
      row.name === this.name &&
      packedFacts(row) === this.grant.facts &&
      row.createdAt === this.createdAt &&
      row.expiresAt === this.expiresAt
    );
  }
}

/** The token as it is after a session renewal: a plain copy with the new expiry, for the renewing request. */
export function withExpiry(token: CallerToken, expiresAt: number): CallerToken {
  return {
    id: token.id,
    userId: token.userId,
    owner: token.owner,
    name: token.name,
    type: token.type,
    source: token.source,
    enabled: token.enabled,
    restricted: token.restricted,
    permissions: token.permissions,
    createdAt: token.createdAt,
    expiresAt,
    lastUsedAt: token.lastUsedAt,
  };
}

const NO_PERMISSIONS: readonly string[] = Object.freeze([]);
const MAX_INTERNED = 10_000;

/**
 * One frozen array per distinct permission set: most tokens hold All Permissions (none listed) or one of a few
 * chosen sets, so 100,000 tokens share a handful of arrays. Forgets everything past MAX_INTERNED sets (the
 * arrays already handed out stay valid; only sharing is lost).
 */
export function createPermissionInterner(): (permissions: readonly string[]) => readonly string[] {
  const known = new Map<string, readonly string[]>();
  return function intern(permissions) {
    if (permissions.length === 0) return NO_PERMISSIONS;
    const key = permissions.join('\n');
    let shared = known.get(key);
    if (shared === undefined) {
      if (known.size >= MAX_INTERNED) known.clear();
      shared = Object.freeze([...permissions]);
      known.set(key, shared);
    }
    return shared;
  };
}
