// Middleware that turns a request's credentials into the authenticated user (and token), or 400/401.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { isWellFormedTokenValue } from '../../shared/token-format';
import type { AuditLog } from '../audit/audit-log';
import type { SessionPolicy } from '../config';
import { apiError, rateLimited, unauthorized } from '../errors';
import type { ClientAddress } from '../http/client-address';
import type { Logger } from '../logger';
import { renewedSessionExpiry } from '../sessions/session-policy';
import type { Store, TokenRecord, UserRecord } from '../store/store';
import { type Clock, epochSeconds } from '../time';
import { type CredentialSources, parseCredentials } from './credentials';
import { digestTokenValue } from './digest';
import { createKeyedLock } from './keyed-lock';
import type { PasswordHasher } from './password';
import type { SignInLimiter } from './sign-in-limiter';
import type { UseRecorder } from './use-recorder';

export interface Authenticated {
  user: UserRecord;
  /** The client's address, for the audit trail. */
  client?: string;
  /** The token that authenticated the request; absent for Basic auth. */
  token?: TokenRecord;
}

export type AuthEnv = { Variables: { auth: Authenticated } };

export interface AuthDeps {
  store: Store;
  clock: Clock;
  passwords: PasswordHasher;
  log: Logger;
  sessionPolicy: SessionPolicy;
  signIns: SignInLimiter;
  clientAddress: ClientAddress;
  audit: AuditLog;
  recordUse: UseRecorder;
}

/** Verifies whatever credentials the sources carry: the authenticated caller, or 400/401. */
export async function verifyCredentials(
  deps: AuthDeps,
  sources: CredentialSources,
  clientOf: () => string,
  /** A validity check (SPEC §3.2): the token is verified as always, but lastUsedDate does not move. */
  isCheck = false,
): Promise<Authenticated> {
  const credentials = parseCredentials(sources);
  switch (credentials.kind) {
    case 'none':
    case 'malformed':
      throw unauthorized();
    case 'conflicting':
      throw apiError(
        400,
        'CONFLICTING_CREDENTIALS',
        'Send one credential per request, not two different ones.',
      );
    case 'basic': {
      const client = clientOf();
      return { user: await verifyPassword(deps, credentials.user, credentials.password, client), client };
    }
    case 'token': {
      // The client's address is only needed when something is recorded: work it out then, not per request.
      const verified = await verifyToken(deps, credentials.value, clientOf, isCheck);
      if (credentials.fromParameter) deps.audit.queryStringUse(verified.token, clientOf());
      let client: string | undefined;
      return {
        ...verified,
        get client() {
          client ??= clientOf();
          return client;
        },
      };
    }
  }
}

export function createAuthenticate(deps: AuthDeps) {
  return createMiddleware<AuthEnv>(async function authenticate(c, next) {
    const sources = await credentialSources(c);
    c.set('auth', await verifyCredentials(deps, sources, () => deps.clientAddress.of(c), isValidityCheck(c)));
    await next();
    // A token that travelled in a URL may sit in caches and history; make sure the answer does not.
    if (sources.urlTokens.length > 0) c.res.headers.set('Cache-Control', 'no-store');
  });
}

// GET /security/me and a token lookup (GET /tokens/{user}/{name}) are how the extension and scripts ask
// "does this token still work?"; SPEC §3.2 says such a check is not a use. One string test per request.
const CHECK_PATH = /^\/fmerest\/v3\/(?:security\/me|tokens\/[^/]+\/[^/]+)\/?$/;

function isValidityCheck(c: Context): boolean {
  return c.req.method === 'GET' && CHECK_PATH.test(c.req.path);
}

const FORM_CREDENTIAL_MAX_BYTES = 16 * 1024;

async function credentialSources(c: Context): Promise<CredentialSources> {
  // Most requests carry no fmetoken parameter: skip parsing the query string for them.
  const urlTokens = c.req.url.includes('fmetoken') ? [...(c.req.queries('fmetoken') ?? [])] : [];
  const contentType = c.req.header('Content-Type') ?? '';
  // A form's fmetoken is read only from a small, declared body: authentication runs before any route's own
  // size limit, and must not buffer an upload of any size for someone who has not shown a credential yet.
  // Read as text, which Hono keeps, so the route can still read the body after this.
  if (
    /^application\/x-www-form-urlencoded\b/i.test(contentType) &&
    Number(c.req.header('Content-Length') ?? Number.NaN) <= FORM_CREDENTIAL_MAX_BYTES
  ) {
    const form = new URLSearchParams(await c.req.text().catch(() => ''));
    urlTokens.push(...form.getAll('fmetoken'));
  }
  return { authorization: c.req.header('Authorization'), urlTokens };
}

async function verifyToken(
  deps: AuthDeps,
  value: string,
  clientOf: () => string,
  isCheck: boolean,
): Promise<{ user: UserRecord; token: TokenRecord }> {
  // The checksum rejects typos and random guesses before the store is asked.
  if (!isWellFormedTokenValue(value)) throw unauthorized();
  const found = await deps.store.findTokenByDigest(digestTokenValue(value));
  if (!found) throw unauthorized();
  const now = epochSeconds(deps.clock);
  const refusal = !found.token.enabled
    ? 'disabled'
    : now >= found.token.expiresAt
      ? 'expired'
      : !found.owner.enabled
        ? 'owner_disabled'
        : undefined;
  if (refusal !== undefined) {
    deps.audit.failedUse(found.token, refusal, clientOf());
    throw unauthorized();
  }
  const { token, owner } = found;
  if (!isCheck) deps.recordUse(token, now);
  const renewed = renewedSessionExpiry(token, now, deps.sessionPolicy);
  if (renewed === undefined) return { user: owner, token };
  // Awaited: the renewal is stored before the client is told it may go on.
  await deps.store.updateToken(token.id, { expiresAt: renewed });
  return { user: owner, token: { ...token, expiresAt: renewed } };
}

const ATTEMPTS_WAITING_PER_KEY = 8;
const signInTurns = createKeyedLock(ATTEMPTS_WAITING_PER_KEY);

/**
 * Checks a password as a sign-in attempt: refused with 429 and Retry-After while this client (or this
 * account) has failed too often (SPEC §5), counted when wrong. Attempts for one account and from one client
 * take turns, so a burst sent at once cannot all pass the check before any failure is recorded.
 */
export async function checkPasswordAttempt(
  deps: Pick<AuthDeps, 'store' | 'passwords' | 'signIns'>,
  name: string,
  password: string,
  client: string,
): Promise<UserRecord | undefined> {
  const attempt = () =>
    signInTurns(`client\n${client}`, async () => {
      const decision = await deps.signIns.check(name, client);
      if (!decision.allowed) {
        throw rateLimited(decision.retryAfterSeconds, 'Too many failed sign-ins: wait before trying again.');
      }
      const user = await deps.store.findUserByName(name);
      const matches = await deps.passwords.verify(user?.passwordHash, password);
      if (!user || !matches || !user.enabled) {
        await deps.signIns.recordFailure(name, client);
        return undefined;
      }
      await deps.signIns.recordSuccess(name, client);
      return user;
    });
  // A client that signed in to this account lately is spared the account's cap, so it need not wait behind
  // the account's other attempts either: strangers flooding the account cannot fill the queue ahead of it.
  if (await deps.signIns.isKnownClient(name, client)) return attempt();
  return signInTurns(`account\n${name.normalize('NFC').toLowerCase()}`, attempt);
}

/** The enabled user with this name and password; 401 otherwise (after the same hashing work), 429 when limited. */
export async function verifyPassword(
  deps: Pick<AuthDeps, 'store' | 'passwords' | 'signIns'>,
  name: string,
  password: string,
  client: string,
): Promise<UserRecord> {
  const user = await checkPasswordAttempt(deps, name, password, client);
  if (!user) throw unauthorized();
  return user;
}

export type Authenticate = ReturnType<typeof createAuthenticate>;
