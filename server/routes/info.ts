// Public identity and health (/fmeinfo/version, /healthz) and the authenticated /fmerest/v3/info.
import { Hono } from 'hono';
import type { Health, Info } from '../../shared/schemas/info';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import type { Logger } from '../logger';
import type { Store } from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { SERVER_VERSION } from '../version';

export interface InfoRoutesDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  authenticate: Authenticate;
}

export function createInfoRoutes({ store, clock, log, authenticate }: InfoRoutesDeps) {
  const routes = new Hono<AuthEnv>();

  routes.get('/fmeinfo/version', (c) => c.json(SERVER_VERSION));

  routes.get('/healthz', async (c) => {
    try {
      await store.ping();
      return c.json({ status: 'ok' } satisfies Health);
    } catch (error) {
      log.error('health check failed', { error: String(error) });
      return c.json({ status: 'unavailable' } satisfies Health, 503);
    }
  });

  routes.get('/fmerest/v3/info', authenticate, (c) =>
    c.json({
      ...SERVER_VERSION,
      currentTime: toApiDate(epochSeconds(clock)),
      timeZone: 'UTC',
    } satisfies Info),
  );

  return routes;
}
