// createApp(deps): the whole HTTP surface, with the store and the clock injected.
import { Hono } from 'hono';
import { createAuthenticate } from './auth/authenticate';
import { createPermissionResolver, createRequirePermission } from './auth/authorize';
import type { PasswordHasher } from './auth/password';
import type { SessionPolicy } from './config';
import { apiError, createErrorHandler } from './errors';
import type { Logger } from './logger';
import { createRequestLog } from './request-log';
import { createAccountRoutes } from './routes/accounts';
import { createDocsRoutes } from './routes/docs';
import { createForwardAuthRoutes } from './routes/forward-auth';
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
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  const authenticate = createAuthenticate(deps);
  if (deps.logRequests) app.use(createRequestLog(deps.log));

  const sessions = createSessionService(deps);
  const permissions = createPermissionResolver(deps.store);
  const requirePermission = createRequirePermission(permissions);
  app.route('/', createInfoRoutes({ ...deps, authenticate }));
  app.route('/', createTokenServiceRoutes({ ...deps, sessions }));
  app.route('/fmerest/v3', createSessionRoutes({ ...deps, sessions, authenticate, permissions }));
  app.route('/', createDocsRoutes());
  app.route('/', createForwardAuthRoutes({ ...deps, permissions }));
  app.route('/fmerest/v3/security', createAccountRoutes({ ...deps, authenticate, permissions }));
  app.route(
    '/fmerest/v3/repositories',
    createRepositoryRoutes({
      ...deps,
      authenticate,
      permissions,
      requirePermission,
      itemMaxBytes: deps.itemMaxBytes ?? 10 * 1024 * 1024,
    }),
  );
  app.route(
    '/fmerest/v3/tokens',
    createTokenRoutes({ tokens: createTokenService({ ...deps, permissions }), authenticate }),
  );

  const handleError = createErrorHandler(deps.log);
  app.notFound((c) => handleError(apiError(404, 'NOT_FOUND', 'There is nothing at this address.'), c));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
