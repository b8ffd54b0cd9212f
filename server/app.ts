// createApp(deps): the whole HTTP surface, with the store and the clock injected.
import { type Context, Hono } from 'hono';
import { createAccountService } from './accounts/account-service';
import { createAuditLog } from './audit/audit-log';
import { type AuthDeps, createAuthenticate, createAuthenticated } from './auth/authenticate';
import { createAuthorizer } from './auth/authorize';
import type { PasswordHasher } from './auth/password';
import { createPasswordSignIn } from './auth/password-sign-in';
import { createSignInLimiter, type SignInPolicy } from './auth/sign-in-limiter';
import { createUseRecorder } from './auth/use-recorder';
import type { SessionPolicy } from './config';
import { apiError, createErrorHandler } from './errors';
import { createAddressRateLimit } from './http/address-rate-limit';
import { createBodyLimit } from './http/body-limit';
import { createClientAddress } from './http/client-address';
import { createCors } from './http/cors';
import { createCrossSiteWriteGuard } from './http/cross-site-writes';
import { type Guard, installFrontDoor } from './http/front-door';
import { createAllowedMethods } from './http/method-not-allowed';
import { createLeaseService } from './leases/lease-service';
import type { Logger } from './logger';
import { undocumented } from './openapi/describe';
import { createRepositoryService } from './repositories/repository-service';
import { createRequestLog } from './request-log';
import { createAccountRoutes } from './routes/accounts';
import { createAuditRoutes } from './routes/audit';
import { createDocsRoutes, createOpenApiRoutes, DOCS_PAGE_PATH, OPENAPI_PATH } from './routes/docs';
import { createFmeApiV4Routes } from './routes/fme-api-v4';
import { createForwardAuthRoutes } from './routes/forward-auth';
import { createHealthRoutes, HEALTH_PATHS } from './routes/health';
import { createInfoRoutes, createVersionRoutes } from './routes/info';
import { createLeaseRoutes } from './routes/leases';
import { createLegacyTokenServiceRoutes } from './routes/legacy-token-service';
import { createMeRoutes } from './routes/me';
import { createPermissionRoutes } from './routes/permissions';
import { createRepositoryRoutes } from './routes/repositories';
import { createSessionRoutes } from './routes/session';
import { createTokenRevokeRoutes } from './routes/token-revoke';
import { createTokenRoutes } from './routes/tokens';
import { createSessionService } from './sessions/session-service';
import type { Store } from './store/store';
import type { Clock } from './time';
import type { TokenCache } from './token-cache/token-cache';
import { createLeakReports } from './tokens/leak-reports';
import { createTokenService } from './tokens/token-service';

export interface AppDeps {
  store: Store;
  /** The verified-token cache in front of `store` (see token-cache/); without one, every token is looked up. */
  tokenCache?: TokenCache;
  clock: Clock;
  passwords: PasswordHasher;
  log: Logger;
  sessionPolicy: SessionPolicy;
  /** Largest item upload of the sample API, in bytes (default 10 MiB). */
  itemMaxBytes?: number;
  /** Log one line per request (never with headers or query strings). */
  logRequests?: boolean;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (`loopback` for 127.0.0.1, ::1). */
  trustedProxies?: readonly string[];
  signInPolicy?: SignInPolicy;
  /** Largest JSON or form body, in bytes (default 64 KiB); item uploads have their own limit. */
  bodyMaxBytes?: number;
  /** Origins whose pages may call the API from a browser (CORS). */
  corsOrigins?: readonly string[];
  /** The build /fmeinfo/version reports (FME_BUILD_NUMBER); FME clients pick REST v3 or v4 by it. */
  buildNumber?: number;
  /** API tokens one user may hold (default 1,000). */
  maxTokensPerUser?: number;
  /** Active sessions one user may hold (default 100); past it, a sign-in ends the oldest. */
  maxSessionsPerUser?: number;
}

export function createApp(deps: AppDeps) {
  const { store, clock, passwords, log } = deps;
  const app = new Hono();
  const clientAddress = createClientAddress({ trustedProxies: deps.trustedProxies ?? [] });
  const audit = createAuditLog({ store, clock, log });
  const signIn = createPasswordSignIn({
    store,
    passwords,
    signIns: createSignInLimiter(store, clock, deps.signInPolicy),
  });
  const auth: AuthDeps = {
    store,
    tokenCache: deps.tokenCache,
    clock,
    sessionPolicy: deps.sessionPolicy,
    signIn,
    clientAddress,
    audit,
    recordUse: createUseRecorder(store, log),
  };
  const authenticate = createAuthenticate(auth);
  const authenticated = createAuthenticated(auth, authenticate);
  const authorizer = createAuthorizer(store);
  const sessions = createSessionService({
    store,
    clock,
    sessionPolicy: deps.sessionPolicy,
    audit,
    maxSessionsPerUser: deps.maxSessionsPerUser ?? 100,
  });
  const tokens = createTokenService({
    store,
    clock,
    authorizer,
    audit,
    maxTokensPerUser: deps.maxTokensPerUser ?? 1000,
  });
  const repositories = createRepositoryService({ store, clock, authorizer });
  const accounts = createAccountService({ store, clock, passwords, signIn, authorizer });
  const leases = createLeaseService({ store, clock, authorizer });

  for (const path of HEALTH_PATHS) app.route(path, createHealthRoutes({ store, log, path }));
  app.route('/fmeinfo', createVersionRoutes({ buildNumber: deps.buildNumber }));
  app.route('/fmerest/v3/info', createInfoRoutes({ clock, authenticated, buildNumber: deps.buildNumber }));
  // Both pages' addresses end in a slash, which a mounted router cannot spell: the bare address redirects.
  undocumented(
    'redirects to /fmetoken/',
    app.get('/fmetoken', (c) => c.redirect('/fmetoken/')),
  );
  app.route('/fmetoken/', createLegacyTokenServiceRoutes({ store, clock, sessions, signIn, clientAddress }));
  undocumented(
    `redirects to ${DOCS_PAGE_PATH}`,
    app.get('/fmerest/apidoc/v3', (c) => c.redirect(DOCS_PAGE_PATH, 301)),
  );
  app.route(DOCS_PAGE_PATH, createDocsRoutes());
  app.route(OPENAPI_PATH, createOpenApiRoutes(app));
  app.route('/fmerest/v3', createSessionRoutes({ sessions, signIn, clientAddress, authenticate }));
  app.route('/fmerest/v3/security/me', createMeRoutes({ authenticate, authorizer }));
  app.route('/auth', createForwardAuthRoutes({ auth, authorizer, clientAddress }));
  app.route('/fmerest/v3/security/accounts', createAccountRoutes({ accounts, clientAddress, authenticate }));
  app.route('/fmerest/v3/security/audit', createAuditRoutes({ store, authenticate, authorizer }));
  app.route('/fmerest/v3/security/permissions', createPermissionRoutes({ authenticate }));
  app.route(
    '/fmerest/v3/repositories',
    createRepositoryRoutes({
      store,
      clock,
      authenticate,
      repositories,
      authorizer,
      itemMaxBytes: deps.itemMaxBytes ?? 10 * 1024 * 1024,
    }),
  );
  app.route(
    '/fmerest/v3/tokens/revoke',
    createTokenRevokeRoutes({
      report: createLeakReports({ store, clock, audit }),
      clientAddress,
      // Ten reports of up to 100 values a minute per address: plenty for a scanner, little for a guesser.
      rateLimit: createAddressRateLimit({ store, name: 'leak reports', limit: 10, windowMs: 60_000, clock }),
    }),
  );
  app.route('/fmerest/v3/tokens', createLeaseRoutes({ leases, authenticate }));
  app.route('/fmerest/v3/tokens', createTokenRoutes({ tokens, authenticate }));
  app.route('/fmeapiv4', createFmeApiV4Routes({ clock, authenticate, tokens, repositories, authorizer }));

  const handleError = createErrorHandler(log);
  const allowedMethods = createAllowedMethods(app.routes);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0)
      return handleError(apiError(404, 'NOT_FOUND', 'There is nothing at this address.'), c);
    c.header('Allow', allowed.join(', '));
    return handleError(
      apiError(405, 'METHOD_NOT_ALLOWED', `${c.req.method} is not served here; use ${allowed.join(', ')}.`),
      c,
    );
  });
  app.onError(handleError);

  // The global middleware, in front of every route that a request can concern (see installFrontDoor); the
  // security headers go on every answer there.
  const guards: Guard[] = [];
  if (deps.logRequests) guards.push({ middleware: createRequestLog(log), concerns: () => true });
  // First, before any authentication: preflights carry no credentials, and 401/403 need the headers too.
  guards.push(createCors(deps.corsOrigins ?? []));
  guards.push(createCrossSiteWriteGuard(deps.corsOrigins ?? []));
  guards.push(createBodyLimit(deps.bodyMaxBytes ?? 64 * 1024, isItemUpload));
  installFrontDoor(app, { guards, onError: handleError, isHttps: clientAddress.isHttpsRequest });
  return app;
}

const ITEM_UPLOAD_PATH = /^\/fmerest\/v3\/repositories\/[^/]+\/items$/;

/** Uploads to the sample API are the one place a larger body is expected; they have their own limit. */
function isItemUpload(c: Context): boolean {
  return c.req.method === 'POST' && ITEM_UPLOAD_PATH.test(c.req.path);
}

export type App = ReturnType<typeof createApp>;
