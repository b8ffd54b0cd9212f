// Middleware that turns a request's credentials into the authenticated user (and token), or 400/401.
import type { Context, MiddlewareHandler, Next } from 'hono';
import { createMiddleware } from 'hono/factory';
import { isWellFormedTokenValue } from '../../shared/token-format';
import type { AuditLog } from '../audit/audit-log';
import type { SessionPolicy } from '../config';
import { apiError, unauthorized, unauthorizedResponse } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { withNoStore } from '../http/security-headers';
import { findLeaseInStore } from '../leases/lease-cache';
import { renewedSessionExpiry } from '../sessions/session-policy';
import type { Store, UserRecord } from '../store/store';
import { type Clock, epochSeconds } from '../time';
import { type CallerToken, withExpiry } from '../token-cache/cached-token';
import type { TokenCache } from '../token-cache/token-cache';
import { type CredentialSources, parseCredentials, plainTokenOf } from './credentials';
import { digestOfKey, tokenKey } from './digest';
import type { PasswordSignIn } from './password-sign-in';
import type { UseRecorder } from './use-recorder';

export interface Authenticated {
  user: UserRecord;
  /** The client's address, for the audit trail. */
  client?: string;
  /** The token that authenticated the request; absent for Basic auth. */
  token?: CallerToken;
}

export type AuthEnv = { Variables: { auth: Authenticated } };

export interface AuthDeps {
  store: Store;
  clock: Clock;
  sessionPolicy: SessionPolicy;
  signIn: PasswordSignIn;
  clientAddress: ClientAddress;
  audit: AuditLog;
  recordUse: UseRecorder;
  /** The verified-token cache in front of the store; without one, every token is looked up in the store. */
  tokenCache?: TokenCache;
}

/**
 * The caller of one request that presented a token. One small object per request (the authorizer keeps its
 * per-request answers by it); the client's address is worked out only when something records it.
 */
class TokenCaller implements Authenticated {
  #client: string | undefined;
  constructor(
    readonly user: UserRecord,
    readonly token: CallerToken,
    private readonly deps: AuthDeps,
    private readonly source: Context,
    /** Already worked out, when the use was recorded. */
    client?: string,
  ) {
    this.#client = client;
  }
  get client(): string {
    this.#client ??= this.deps.clientAddress.of(this.source);
    return this.#client;
  }
}

/** What a middleware gives Hono: the answer it made, or nothing once the route has answered. */
type MiddlewareAnswer = ReturnType<MiddlewareHandler>;

/** Credentials missing, malformed, unknown, expired, disabled, or of a disabled owner: all one 401. */
const REFUSED = Symbol('refused');
type Outcome = Authenticated | typeof REFUSED;

/** Verifies whatever credentials the sources carry: the authenticated caller, or 400/401. */
export async function verifyCredentials(
  deps: AuthDeps,
  sources: CredentialSources,
  /** The request the credentials came with: where it came from, and its User-Agent. */
  client: Context,
  /** A validity check: the token is verified as always, but lastUsedDate does not move. */
  isCheck = false,
): Promise<Authenticated> {
  const outcome = await verify(deps, deps.tokenCache, sources, client, isCheck);
  if (outcome === REFUSED) throw unauthorized();
  return outcome;
}

/**
 * A token the cache holds is verified without awaiting anything: no promise, no exception, one small object.
 * Only a miss, a session renewal, Basic auth or a form body take the asynchronous path.
 */
export function createAuthenticate(deps: AuthDeps) {
  const cache = deps.tokenCache;
  return createMiddleware<AuthEnv>(function authenticate(c, next) {
    if (carriesFormCredential(c)) return authenticateForm(c, next);
    const urlTokens = urlTokensOf(c);
    return proceed(c, next, urlTokens.length > 0, verifyRequest(deps, c, urlTokens));
  });

  async function authenticateForm(c: Context<AuthEnv>, next: Next): MiddlewareAnswer {
    const form = new URLSearchParams(await c.req.text().catch(() => ''));
    const sources = {
      authorization: c.req.header('Authorization'),
      urlTokens: [...urlTokensOf(c), ...form.getAll('fmetoken')],
    };
    const outcome = await verify(deps, cache, sources, c, isValidityCheck(c));
    return proceed(c, next, sources.urlTokens.length > 0, outcome);
  }
}

/** A route's one handler, for a caller the request's credentials authenticate. */
export type AuthenticatedHandler = (c: Context<AuthEnv>) => Response;

/**
 * The `authenticate` middleware and a synchronous handler as one handler, for the route token checks hit most:
 * Hono answers a route of one handler in the same turn, where middleware in front of it goes through its async
 * compose (a promise per layer, and an answer @hono/node-server writes a turn later). A token in the Authorization
 * header that the cache holds is answered without a promise; anything else goes through the middleware itself.
 */
export function createAuthenticated(deps: AuthDeps, authenticate: Authenticate) {
  return (handler: AuthenticatedHandler) =>
    function authenticated(c: Context<AuthEnv>): Response | Promise<Response> {
      if (carriesFormCredential(c) || urlTokensOf(c).length > 0) return throughMiddleware(c, handler);
      const outcome = verifyRequest(deps, c, NO_URL_TOKENS);
      return outcome instanceof Promise
        ? outcome.then((settled) => answer(c, handler, settled))
        : answer(c, handler, outcome);
    };

  async function throughMiddleware(c: Context<AuthEnv>, handler: AuthenticatedHandler): Promise<Response> {
    const refused = await authenticate(c, async () => {
      c.res = handler(c);
    });
    return refused ?? c.res;
  }
}

/** A request's Authorization header and these tokens from its URL, verified. */
function verifyRequest(deps: AuthDeps, c: Context, urlTokens: readonly string[]): Outcome | Promise<Outcome> {
  const sources = { authorization: c.req.header('Authorization'), urlTokens };
  return verify(deps, deps.tokenCache, sources, c, isValidityCheck(c));
}

function answer(c: Context<AuthEnv>, handler: AuthenticatedHandler, outcome: Outcome): Response {
  if (outcome === REFUSED) return refuse();
  c.set('auth', outcome);
  return handler(c);
}

function proceed(
  c: Context<AuthEnv>,
  next: Next,
  fromUrl: boolean,
  outcome: Outcome | Promise<Outcome>,
): MiddlewareAnswer {
  if (outcome instanceof Promise) return outcome.then((settled) => proceed(c, next, fromUrl, settled));
  // A token that travelled in a URL or a form may sit in caches and history: no answer to it is kept, a refusal
  // included (the front door does the same for every answer to a `fmetoken` query).
  if (outcome === REFUSED) return Promise.resolve(fromUrl ? withNoStore(refuse()) : refuse());
  c.set('auth', outcome);
  if (!fromUrl) return next();
  return next().then(() => c.res.headers.set('Cache-Control', 'no-store'));
}

/** The one place a request is refused for its credentials: returned, not thrown through the middleware. */
function refuse(): Response {
  return unauthorizedResponse();
}

function verify(
  deps: AuthDeps,
  cache: TokenCache | undefined,
  sources: CredentialSources,
  client: Context,
  isCheck: boolean,
): Outcome | Promise<Outcome> {
  const plain = plainTokenOf(sources);
  if (plain !== undefined) return verifyToken(deps, cache, plain, false, client, isCheck);
  const credentials = parseCredentials(sources);
  switch (credentials.kind) {
    case 'none':
    case 'malformed':
      return REFUSED;
    case 'conflicting':
      throw apiError(
        400,
        'CONFLICTING_CREDENTIALS',
        'Send one credential per request, not two different ones.',
      );
    case 'basic':
      return verifyBasic(deps, credentials.user, credentials.password, client);
    case 'token':
      return verifyToken(deps, cache, credentials.value, credentials.fromParameter, client, isCheck);
  }
}

function verifyToken(
  deps: AuthDeps,
  cache: TokenCache | undefined,
  value: string,
  fromParameter: boolean,
  client: Context,
  isCheck: boolean,
): Outcome | Promise<Outcome> {
  // The checksum rejects typos and random guesses before the cache or the store is asked.
  if (!isWellFormedTokenValue(value)) return REFUSED;
  // The cache's key, not the stored hex digest: hex is worked out only on a miss, for the store.
  const key = tokenKey(value);
  const cached = cache?.peek(key);
  if (cached === null) return REFUSED;
  if (cached !== undefined) return admit(deps, cached.holder.user, cached, fromParameter, client, isCheck);
  return lookUp(deps, cache, key, fromParameter, client, isCheck);
}

async function verifyBasic(
  deps: AuthDeps,
  user: string,
  password: string,
  source: Context,
): Promise<Outcome> {
  const client = deps.clientAddress.of(source);
  return { user: await deps.signIn.verify(user, password, client), client };
}

async function lookUp(
  deps: AuthDeps,
  cache: TokenCache | undefined,
  key: string,
  fromParameter: boolean,
  client: Context,
  isCheck: boolean,
): Promise<Outcome> {
  if (cache) {
    const found = await cache.lookup(key);
    return found ? admit(deps, found.holder.user, found, fromParameter, client, isCheck) : REFUSED;
  }
  const digest = digestOfKey(key);
  const found = await deps.store.findTokenByDigest(digest);
  if (found) return admit(deps, found.owner, found.token, fromParameter, client, isCheck);
  const leased = await findLeaseInStore(deps.store, digest);
  return leased ? admit(deps, leased.owner.user, leased.lease, fromParameter, client, isCheck) : REFUSED;
}

/** The rules of a found token: enabled, unexpired, its owner enabled; then its use is noted. */
function admit(
  deps: AuthDeps,
  owner: UserRecord,
  token: CallerToken,
  fromParameter: boolean,
  client: Context,
  isCheck: boolean,
): Outcome | Promise<Outcome> {
  const now = epochSeconds(deps.clock);
  const refusal = !token.enabled
    ? 'disabled'
    : now >= token.expiresAt
      ? 'expired'
      : !owner.enabled
        ? 'owner_disabled'
        : undefined;
  if (refusal !== undefined) {
    // Leases lapse all the time by design: a lapsed one is not worth an event in its parent's trail.
    if (token.lease === undefined || refusal !== 'expired')
      deps.audit.failedUse(token, refusal, deps.clientAddress.of(client));
    return REFUSED;
  }
  // Every use is compared with the last one's address: worked out here once, and kept for the caller.
  const address = isCheck ? undefined : deps.clientAddress.of(client);
  if (address !== undefined) deps.recordUse(token, now, address, client.req);
  const renewed = renewedSessionExpiry(token, now, deps.sessionPolicy);
  if (renewed !== undefined) return renew(deps, owner, token, renewed, fromParameter, client);
  if (fromParameter) deps.audit.queryStringUse(token, deps.clientAddress.of(client));
  return new TokenCaller(owner, token, deps, client, address);
}

async function renew(
  deps: AuthDeps,
  owner: UserRecord,
  token: CallerToken,
  expiresAt: number,
  fromParameter: boolean,
  client: Context,
): Promise<Outcome> {
  // Awaited: the renewal is stored before the client is told it may go on.
  await deps.store.updateToken(token.id, { expiresAt });
  if (fromParameter) deps.audit.queryStringUse(token, deps.clientAddress.of(client));
  return new TokenCaller(owner, withExpiry(token, expiresAt), deps, client);
}

// GET /security/me and a token lookup (GET /tokens/{user}/{name}) are how the extension and scripts ask
// "does this token still work?"; such a check is not a use. One string test per request.
const CHECK_PATH = /^\/fmerest\/v3\/(?:security\/me|tokens\/[^/]+\/[^/]+)\/?$/;

function isValidityCheck(c: Context): boolean {
  return c.req.method === 'GET' && CHECK_PATH.test(c.req.path);
}

const FORM_CREDENTIAL_MAX_BYTES = 16 * 1024;
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\b/i;

/**
 * A form's fmetoken is read only from a small, declared body: authentication runs before any route's own size
 * limit, and must not buffer an upload of any size for someone who has not shown a credential yet. Read as
 * text, which Hono keeps, so the route can still read the body after this.
 */
function carriesFormCredential(c: Context): boolean {
  const contentType = c.req.header('Content-Type');
  return (
    contentType !== undefined &&
    FORM_CONTENT_TYPE.test(contentType) &&
    Number(c.req.header('Content-Length') ?? Number.NaN) <= FORM_CREDENTIAL_MAX_BYTES
  );
}

const NO_URL_TOKENS: readonly string[] = [];

// Most requests carry no fmetoken parameter: skip parsing the query string for them.
function urlTokensOf(c: Context): readonly string[] {
  return c.req.url.includes('fmetoken') ? (c.req.queries('fmetoken') ?? NO_URL_TOKENS) : NO_URL_TOKENS;
}

export type Authenticate = ReturnType<typeof createAuthenticate>;
export type WithAuthentication = ReturnType<typeof createAuthenticated>;
