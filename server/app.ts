// createApp(deps): the whole HTTP surface, with the store and the clock injected.
import { type Context, Hono } from 'hono';
import { createAuditLog } from './audit/audit-log';
import { createAuthenticate } from './auth/authenticate';
import { createAuthorizer } from './auth/authorize';
import type { PasswordHasher } from './auth/password';
import { createSignInLimiter, type SignInPolicy } from './auth/sign-in-limiter';
import { createUseRecorder } from './auth/use-recorder';
import type { SessionPolicy } from './config';
import { apiError, createErrorHandler } from './errors';
import { createBodyLimit } from './http/body-limit';
import { createClientAddress } from './http/client-address';
import { createCors } from './http/cors';
import { createAllowedMethods } from './http/method-not-allowed';
import { createSecurityHeaders } from './http/security-headers';
import type { Logger } from './logger';
import { createRepositoryService } from './repositories/repository-service';
import { createRequestLog } from './request-log';
import { createAccountRoutes } from './routes/accounts';
import { createDocsRoutes } from './routes/docs';
import { createFmeApiV4Routes } from './routes/fme-api-v4';
import { createForwardAuthRoutes } from './routes/forward-auth';
import { createHealthRoutes } from './routes/health';
import { createInfoRoutes } from './routes/info';
import { createRepositoryRoutes } from './routes/repositories';
import { createSessionRoutes } from './routes/session';
import { createTokenServiceRoutes } from './routes/token-service';
import { createTokenRoutes } from './routes/tokens';
import { createSessionService } from './sessions/session-service';
import type { Store } from './store/store';
import type { Clock } from './time';
import { createTokenService } from './tokens/token-service';

export interface AppDeps {
  store: Store;
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
}

export function createApp(appDeps: AppDeps) {
  const app = new Hono();
  const clientAddress = createClientAddress({ trustedProxies: appDeps.trustedProxies ?? [] });
  const deps = {
    ...appDeps,
    clientAddress,
    signIns: createSignInLimiter(appDeps.store, appDeps.clock, appDeps.signInPolicy),
    audit: createAuditLog(appDeps),
    recordUse: createUseRecorder(appDeps.store, appDeps.log),
  };
  const authenticate = createAuthenticate(deps);
  if (deps.logRequests) app.use(createRequestLog(deps.log));
  // First, before any authentication: preflights carry no credentials, and 401/403 need the headers too.
  app.use(createCors(deps.corsOrigins ?? []));
  app.use(createSecurityHeaders({ isHttps: (c) => clientAddress.isHttps(c) }));
  app.use(createBodyLimit(deps.bodyMaxBytes ?? 64 * 1024, isItemUpload));

  const sessions = createSessionService(deps);
  const authorizer = createAuthorizer(deps.store);
  const tokens = createTokenService({
    ...deps,
    authorizer,
    maxTokensPerUser: deps.maxTokensPerUser ?? 1000,
  });
  const repositories = createRepositoryService({ ...deps, authorizer });
  app.route('/', createHealthRoutes(deps));
  app.route('/', createInfoRoutes({ ...deps, authenticate }));
  app.route('/', createTokenServiceRoutes({ ...deps, sessions }));
  app.route('/fmerest/v3', createSessionRoutes({ ...deps, sessions, authenticate, authorizer }));
  app.route('/', createDocsRoutes());
  app.route('/', createForwardAuthRoutes({ ...deps, authorizer }));
  app.route('/fmerest/v3/security', createAccountRoutes({ ...deps, authenticate, authorizer }));
  app.route(
    '/fmerest/v3/repositories',
    createRepositoryRoutes({
      ...deps,
      authenticate,
      repositories,
      authorizer,
      itemMaxBytes: deps.itemMaxBytes ?? 10 * 1024 * 1024,
    }),
  );
  app.route('/fmerest/v3/tokens', createTokenRoutes({ tokens, authenticate }));
  app.route('/fmeapiv4', createFmeApiV4Routes({ ...deps, authenticate, tokens, repositories, authorizer }));

  const handleError = createErrorHandler(deps.log);
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
  return app;
}

/** Uploads to the sample API are the one place a larger body is expected; they have their own limit. */
function isItemUpload(c: Context): boolean {
  return c.req.method === 'POST' && /^\/fmerest\/v3\/repositories\/[^/]+\/items$/.test(c.req.path);
}

export type App = ReturnType<typeof createApp>;
