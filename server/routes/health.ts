// Health checks without credentials: /healthz, FME's v3 /healthcheck and v4 liveness and readiness.
import { type Context, Hono } from 'hono';
import type { Health } from '../../shared/schemas/info';
import type { Logger } from '../logger';
import type { Store } from '../store/store';

export interface HealthRoutesDeps {
  store: Store;
  log: Logger;
}

export const HEALTH_PATHS = [
  '/healthz',
  '/fmerest/v3/healthcheck',
  '/fmeapiv4/healthcheck/liveness',
  '/fmeapiv4/healthcheck/readiness',
] as const;

/** One check, mounted by the app at each of HEALTH_PATHS. */
export function createHealthRoutes({ store, log }: HealthRoutesDeps) {
  const routes = new Hono();

  // Whatever credential arrives is ignored: load balancers and FME's CLI (which sends its saved token,
  // valid or not) must get the same answer. Readiness and liveness both mean the store answers.
  routes.get('/', check);

  async function check(c: Context) {
    c.header('Cache-Control', 'no-store');
    try {
      await store.ping();
      return c.json({
        status: 'ok',
        message: 'tokenward is running and its store answers.',
      } satisfies Health);
    } catch (error) {
      log.error('health check failed', { error: String(error) });
      const body: Health = { status: 'unavailable', message: 'The token store does not answer.' };
      return c.json(body, 503);
    }
  }

  return routes;
}
