// The store interface, one part per aggregate, with its records and errors (one SQL store serves both dialects).
import type { TokenSource, TokenType } from '../../shared/schemas/token';
import type {
  AuditRecord,
  ItemRecord,
  LeaseRecord,
  RepositoryRecord,
  TokenRecord,
  UserRecord,
} from './row-schemas';

/** Records are read through row-schemas.ts; times are whole seconds since the epoch. */
export type { AuditRecord, ItemRecord, LeaseRecord, RepositoryRecord, TokenRecord, UserRecord };

export type NewUser = Omit<UserRecord, 'id'>;

export type UserPatch = Partial<Pick<UserRecord, 'passwordHash' | 'roles' | 'enabled'>>;

/** A new token is never exposed; only a token copied from another store (npm run store:copy) says when it was. */
export type NewToken = Omit<
  TokenRecord,
  'id' | 'owner' | 'lastUsedAt' | 'lastUsedAddress' | 'lastUsedClient' | 'exposedAt'
> &
  Partial<Pick<TokenRecord, 'exposedAt'>>;

/** An address block a token was used from, and its first use from there. */
export interface TokenAddress {
  address: string;
  firstUsedAt: number;
}

/**
 * A use of a token at `at`, and where it came from as the request said it: the client's address and User-Agent
 * header, kept raw until the use is written (the store reduces them to an address block and a client family).
 */
export interface TokenUse {
  id: number;
  at: number;
  address?: string | undefined;
  userAgent?: string | undefined;
  /**
   * A last use copied from another store (npm run store:copy), where it came from as that store described it:
   * kept as the token's last place and one of its known addresses, with no audit event (the trail is copied).
   */
  copied?: { address: string | null; client: string | null } | undefined;
}

/** `savedAt` moves when a person edits the token, not when a session renews itself. */
export type TokenPatch = Partial<
  Pick<TokenRecord, 'description' | 'enabled' | 'restricted' | 'permissions' | 'expiresAt' | 'savedAt'>
>;

export interface TokenQuery {
  /** One owner's tokens, or every user's when undefined (the All Tokens view). */
  userId?: number | undefined;
  type?: TokenType | undefined;
  status?: 'active' | 'expired' | undefined;
  /** Seconds; decides which tokens count as expired. */
  now: number;
  /** -1 for all. */
  limit: number;
  offset: number;
  /** Starts the page after this token (a seek, not a skip), with offset 0. */
  after?: TokenPosition | undefined;
}

/** A token's place in the listing's order, newest first: created, then id. */
export type TokenPosition = Pick<TokenRecord, 'createdAt' | 'id'>;

/** A page, the count of all that match (kept, not counted), and where the next page starts if there is one. */
export interface TokenPage {
  items: TokenRecord[];
  total: number;
  next: TokenPosition | undefined;
}

export type NewRepository = Omit<RepositoryRecord, 'id'>;

export type NewItem = Omit<ItemRecord, 'id' | 'size'> & { content: Uint8Array };

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

/** The audit events of a change: committed in the change's own transaction, and only when the change is. */
export type AuditEvents = readonly NewAuditRecord[];

export interface AuditQuery {
  /** One account's events, or everyone's when undefined. */
  ownerId?: number | undefined;
  tokenName?: string | undefined;
  limit: number;
  offset: number;
}

export interface VerifiedToken {
  token: TokenRecord;
  owner: UserRecord;
}

/** What a cached fact is about: one token, everything about one user, or a digest newly in use. */
export type InvalidationSubject = `token:${number}` | `user:${number}` | `digest:${string}`;

/**
 * The subject each write makes stale. A store shared by several instances sends it with the write, in the
 * same transaction (so it is delivered exactly when the write commits, never for one that did not); the
 * caching layer drops it locally once the write returns.
 */
export const staleAfter = {
  /** A new token: a digest remembered as unknown is no longer unknown. */
  createToken: (digest: string): InvalidationSubject => `digest:${digest}`,
  /** A token's state, expiry or permissions changed, or it was removed. */
  token: (id: number): InvalidationSubject => `token:${id}`,
  /** A user's roles, password or state changed, they were removed, or their sessions ended. */
  user: (id: number): InvalidationSubject => `user:${id}`,
};

/** What a cache is told by the instances sharing its store (see server/store/agreement.ts). */
export interface InvalidationListener {
  /** A subject some instance's write made stale (this instance's own writes included). */
  stale(subject: string): void;
  /**
   * false: messages may be missed from now on (a lost connection), so nothing cached is reliable; true: none
   * can be missed again (what was cached before is still suspect). Called once at subscription, too.
   */
  live(isLive: boolean): void;
  /**
   * The cache may answer from memory until this reading of monotonicMs() (server/time.ts): a lease the channel
   * renews while it proves itself alive. A write is acknowledged only once no instance holds a lease older than
   * it.
   */
  trustUntil(until: number): void;
}

/** How instances sharing a store hear that cached facts went stale (the store sends them with its writes). */
export interface Invalidations {
  /** Tells `listener` of every change from now on; returns the unsubscribe function. */
  subscribe(listener: InvalidationListener): () => void;
}

/** The store's own life: whether it answers, closing it, and what it tells other instances. */
export interface StoreLifecycle {
  invalidations: Invalidations;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `work` unless another holder of `task` (in any instance sharing this store) runs it now; then
   * resolves undefined without running it. Keeps periodic tasks such as cleanup to one at a time.
   */
  runExclusive<T>(task: string, work: () => Promise<T>): Promise<T | undefined>;
}

export interface UserChangeOptions {
  /** The session kept when the change ends the user's sessions: the one a user changes their own password with. */
  keepSessionId?: number | undefined;
  audit?: AuditEvents;
}

/**
 * Every method that changes something holds the rules about it in its own transaction (see sql-rules.ts), so
 * they stay true under concurrency and across instances sharing the store.
 */
export interface UserStore {
  countUsers(): Promise<number>;
  /** Throws NameTakenError when the name exists. */
  createUser(user: NewUser): Promise<UserRecord>;
  findUserByName(name: string): Promise<UserRecord | undefined>;
  /** Every user, by name. */
  listUsers(): Promise<UserRecord[]>;
  /**
   * Deletes the user and every token of theirs; false when no such user exists. Throws LastManagerError when
   * the user is the last enabled account that can manage users.
   */
  deleteUser(id: number): Promise<boolean>;
  /**
   * False when no such user exists. A new password or disabling the account ends every session of the user
   * (but `keepSessionId`) with it. Throws LastManagerError when the change would leave no enabled account
   * that can manage users.
   */
  updateUser(id: number, patch: UserPatch, options?: UserChangeOptions): Promise<boolean>;
}

export interface TokenCreateOptions {
  /** An API token is refused with TokenLimitError when its owner already holds this many. */
  maxApiTokens?: number;
  audit?: AuditEvents;
}

/** What a sign-in checked, and what its session may do to the user's others. */
export interface SessionSignIn {
  /** The password hash the password was checked against: the session is made only while it is still the user's. */
  passwordHash: string;
  /** Active sessions the user may hold, the new one included: past it, the oldest end. */
  maxSessions: number;
  /** The new session's event, and the event of each session it ends. */
  audit: { created: NewAuditRecord; ended(session: TokenRecord): NewAuditRecord };
}

export interface TokenStore {
  /**
   * Throws NameTakenError when the owner already has a token of that name; with `maxApiTokens`, TokenLimitError
   * when they hold that many API tokens, and AccountChangedError when the owner no longer exists.
   */
  createToken(token: NewToken, options?: TokenCreateOptions): Promise<TokenRecord>;
  /**
   * A session for a sign-in: made only if the user is enabled and still has the password hash that was checked
   * (AccountChangedError otherwise), ending the user's oldest active sessions past `maxSessions` in the same
   * transaction. Resolves with the session and the sessions it ended.
   */
  createSession(
    session: NewToken,
    signIn: SessionSignIn,
  ): Promise<{ session: TokenRecord; ended: TokenRecord[] }>;
  /** The token with this digest and its owner, in one lookup: the hot path of every request. */
  findTokenByDigest(digest: string): Promise<VerifiedToken | undefined>;
  findToken(userId: number, name: string): Promise<TokenRecord | undefined>;
  /** Newest first. */
  listTokens(query: TokenQuery): Promise<TokenPage>;
  /** False when no such token exists. */
  updateToken(id: number, patch: TokenPatch, audit?: AuditEvents): Promise<boolean>;
  deleteToken(id: number, audit?: AuditEvents): Promise<boolean>;
  /**
   * Records last uses in one go (one transaction); a use never moves a last use backwards. Where a use came from
   * is written with its time, and the first use of a token from an address block it was never used from is an
   * audit event (`used_from_new_address`), recorded once however many instances write that use.
   */
  markTokensUsed(uses: ReadonlyArray<TokenUse>): Promise<void>;
  /** Every address block the token was used from, oldest first. */
  listTokenAddresses(tokenId: number): Promise<TokenAddress[]>;
  /** Deletes the user's session tokens except `keepTokenId`; resolves with how many. */
  deleteSessionTokensOf(userId: number, keepTokenId?: number): Promise<number>;
  /** Deletes up to `limit` session tokens that expired at or before `expiredBefore`; API tokens stay. */
  deleteExpiredSessionTokens(expiredBefore: number, limit: number): Promise<number>;
}

/** Repositories and the items in them. */
export interface RepositoryStore {
  /** Throws NameTakenError when a repository of that name exists. */
  createRepository(repository: NewRepository): Promise<RepositoryRecord>;
  /** Every repository, by name. */
  listRepositories(): Promise<RepositoryRecord[]>;
  findRepository(name: string): Promise<RepositoryRecord | undefined>;
  /** Names of the repositories the user created. */
  listOwnedRepositoryNames(userId: number): Promise<string[]>;
  /** Deletes the repository and its items. */
  deleteRepository(id: number): Promise<boolean>;

  /** Throws NameTakenError when the repository has an item of that name. */
  createItem(item: NewItem): Promise<ItemRecord>;
  listItems(repositoryId: number, type?: string): Promise<ItemRecord[]>;
  findItem(repositoryId: number, name: string): Promise<ItemRecord | undefined>;
  readItemContent(id: number): Promise<Uint8Array | undefined>;
  deleteItem(id: number): Promise<boolean>;
}

/** Sign-in failure streaks, blocks and known clients; times here are epoch milliseconds. */
export interface SignInStore {
  /**
   * Adds a sign-in failure to the streak at `key` in one atomic step (a streak quiet for `forgetAfterMs`
   * starts again at 1); resolves with the streak's length.
   */
  bumpSignInStreak(key: string, nowMs: number, forgetAfterMs: number): Promise<number>;
  blockSignIn(key: string, untilMs: number): Promise<void>;
  /** The latest time any of the keys is blocked until; 0 when none is. */
  signInBlockedUntil(keys: readonly string[]): Promise<number>;
  clearSignInStreak(key: string): Promise<void>;
  addAccountFailure(account: string, atMs: number): Promise<void>;
  /** Times of the account's failures after `sinceMs`, newest first, at most `limit`. */
  accountFailuresSince(account: string, sinceMs: number, limit: number): Promise<number[]>;
  /** Forgets failures and finished streaks older than `beforeMs`; resolves with how many rows went. */
  pruneSignInFailures(beforeMs: number): Promise<number>;
  /** Notes that the client at `key` signed in successfully at `atMs` (a later time replaces an earlier one). */
  rememberSignInClient(key: string, atMs: number): Promise<void>;
  /** When the client at `key` last signed in successfully; undefined when never (or forgotten). */
  signInClientLastSuccess(key: string): Promise<number | undefined>;
  /** Forgets clients whose last success is older than `beforeMs`; resolves with how many. */
  forgetSignInClients(beforeMs: number): Promise<number>;
}

/** Requests counted in fixed windows, shared by every instance; times here are epoch milliseconds. */
export interface RequestWindowStore {
  /**
   * Counts one request at `key` in one atomic step: in the window under way, or in a new one of `windowMs` when
   * none is (or it has ended). Resolves with the window's count so far and when it ends.
   */
  countRequest(key: string, nowMs: number, windowMs: number): Promise<{ count: number; endsAtMs: number }>;
  /** Forgets windows that ended before `beforeMs`; resolves with how many. */
  pruneRequestWindows(beforeMs: number): Promise<number>;
}

export interface AuditStore {
  /** Appends events, all or none: the events of uses, which change nothing (a change records its own). */
  recordAuditEvents(events: readonly NewAuditRecord[]): Promise<void>;
  /** Newest first. */
  listAuditEvents(query: AuditQuery): Promise<{ items: AuditRecord[]; total: number }>;
}

/** The whole store, one interface per aggregate. */
export interface Store
  extends StoreLifecycle,
    UserStore,
    TokenStore,
    LeaseStore,
    ExposureStore,
    RepositoryStore,
    SignInStore,
    RequestWindowStore,
    AuditStore {}

export class NameTakenError extends Error {
  override name = 'NameTakenError';
}

/** The change would leave no enabled account that can manage users. */
export class LastManagerError extends Error {
  override name = 'LastManagerError';
}

/** The owner already holds as many API tokens as they may. */
export class TokenLimitError extends Error {
  override name = 'TokenLimitError';
  constructor(
    readonly limit: number,
    readonly held: number,
  ) {
    super(`The owner holds ${held} API tokens; the limit is ${limit}.`);
  }
}

/** The account changed under the request: its password is another now, or it was disabled or deleted. */
export class AccountChangedError extends Error {
  override name = 'AccountChangedError';
}

// The store is busy, full or unreachable for now (503); defined with the driver errors it stands for.
export { StoreUnavailableError } from './store-faults';

/** The database cannot be opened as it is; start-up stops and the file is left untouched. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

// ---- Leases: short-lived children of an API token --------------------------------------------------------

export type NewLease = Omit<LeaseRecord, 'id' | 'lastUsedAt'>;

/** What minting checks in its transaction, and how many live leases the parent may have. */
export interface LeaseMint {
  /** The owner as the request authenticated them: a lease is minted only while the account is still so. */
  owner: UserRecord;
  /** Live leases the parent may have, the new one included: past it, the oldest end. */
  maxLive: number;
}

/** A lease and its parent's digest: the parent's rights are looked up as the parent's own. */
export interface FoundLease {
  lease: LeaseRecord;
  parentDigest: string;
}

/** The parent cannot be leased: it is disabled or expired (LeaseParentGoneError when it no longer exists). */
export class LeaseParentError extends Error {
  override name = 'LeaseParentError';
}

/**
 * Leases live and die with their parent: a write that disables, narrows or removes a token ends its leases in the
 * same transaction, and a change to the owner's account ends all of theirs; each such write already makes the
 * parent (`token:<id>`) or its owner (`user:<id>`) stale, which is what a cached lease is checked against.
 */
export interface LeaseStore {
  /**
   * Locks the owner and the parent, ends the parent's oldest live leases past `maxLive` and its expired ones, and
   * stores the lease. Throws AccountChangedError when the owner is no longer as `owner` says, TokenNotFoundError
   * when the parent is gone, LeaseParentError when it is disabled or expired at `lease.createdAt`.
   */
  createLease(lease: NewLease, mint: LeaseMint): Promise<{ lease: LeaseRecord; ended: number }>;
  findLeaseByDigest(digest: string): Promise<FoundLease | undefined>;
  /** The parent's live leases at `now`, and the latest use of any of its leases. */
  leaseSummary(parentId: number, now: number): Promise<{ live: number; lastUsedAt: number | null }>;
  /** Ends every lease of the parent; resolves with how many there were. */
  endLeases(parentId: number): Promise<number>;
  /** Records last uses of leases in one transaction; a use never moves a last use backwards. */
  markLeasesUsed(uses: ReadonlyArray<{ id: number; at: number }>): Promise<void>;
}

/** What a report of leaked values changed: the tokens disabled, and the parents of the leases ended. */
export interface ExposureReport {
  tokens: TokenRecord[];
  leaseParents: number[];
}

export interface ExposureStore {
  /**
   * Disables every token whose digest is reported, marking it exposed at `at` (its leases end with it), and ends
   * every reported lease; the events `audit` makes of them commit in the same transaction.
   */
  reportExposed(
    digests: readonly string[],
    at: number,
    audit: (token: TokenRecord, lease: boolean) => NewAuditRecord,
  ): Promise<ExposureReport>;
}

/** The token a change was about no longer exists. */
export class TokenNotFoundError extends Error {
  override name = 'TokenNotFoundError';
}

// ---- The token cache's loader (a cache that holds every active token) ----------------------------
// Kept in one block, apart from the rest of the interface: the cache in server/token-cache/token-cache.ts is its only caller.

/** A token as the verified-token cache keeps it: what verification and the request need, nothing to display. */
export interface CacheableToken {
  id: number;
  userId: number;
  name: string;
  digest: string;
  type: TokenType;
  source: TokenSource;
  enabled: boolean;
  restricted: boolean;
  permissions: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}

/** Where a page of cacheable tokens starts, how long it is, and which tokens count as expired. */
export interface CacheableTokenQuery {
  /** Tokens with a larger id than this (0 for the first page): a seek by the primary key, never a skip. */
  afterId: number;
  limit: number;
  /** Seconds; tokens expired at this time are left out. */
  now: number;
}

/** One write logged for the token cache: a token's row (with its owner), or a user's row (no token). */
export interface TokenChange {
  seq: number;
  tokenId: number | null;
  userId: number | null;
}

/** Unexpired tokens with each of their owners once. */
export interface CacheableTokens {
  tokens: CacheableToken[];
  owners: UserRecord[];
}

export interface TokenStore {
  /** Unexpired tokens by id, a page at a time, with each of their owners once: how the token cache fills. */
  listCacheableTokens(query: CacheableTokenQuery): Promise<CacheableTokens>;
  /** Those of the tokens named that exist and are unexpired at `now` (seconds). */
  findCacheableTokens(ids: readonly number[], now: number): Promise<CacheableTokens>;
  /**
   * The logged writes after `afterSeq`, oldest first, at most `limit`; with the first and last entry the log
   * keeps (0 and 0 while it is empty): how the token cache reads only what changed.
   */
  listTokenChanges(
    afterSeq: number,
    limit: number,
  ): Promise<{ changes: TokenChange[]; first: number; last: number }>;
  /** Removes at most `limit` log entries written before `before` (seconds), never the newest one; how many. */
  trimTokenChanges(before: number, limit: number): Promise<number>;
}
