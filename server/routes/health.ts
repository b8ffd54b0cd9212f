// Health checks without credentials: /healthz, FME's v3 /healthcheck and v4 liveness and readiness.
import { type Context, Hono } from 'hono';
import { type Health, HealthQuerySchema, HealthSchema } from '../../shared/schemas/info';
import type { Logger } from '../logger';
import { describe, json, type RouteDescription } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import type { Store } from '../store/store';

export interface HealthRoutesDeps {
  store: Store;
  log: Logger;
  /** Where the app mounts this router: one of HEALTH_PATHS, which the description names. */
  path: HealthPath;
}

export const HEALTH_PATHS = [
  '/healthz',
  '/fmerest/v3/healthcheck',
  '/fmeapiv4/healthcheck/liveness',
  '/fmeapiv4/healthcheck/readiness',
] as const;
export type HealthPath = (typeof HEALTH_PATHS)[number];

function healthCheck(operationId: string, summary: string): RouteDescription {
  return {
    operationId,
    summary,
    description: 'No credentials needed; any sent are ignored.',
    tag: TAGS.server,
    security: 'none',
    responses: {
      200: json('The server and its store answer.', HealthSchema),
      503: json('The store does not answer.', HealthSchema),
    },
  };
}

const DESCRIPTIONS: Record<HealthPath, RouteDescription> = {
  '/healthz': healthCheck('getHealth', 'Health check'),
  '/fmerest/v3/healthcheck': {
    ...healthCheck('getHealthcheckV3', 'Health check (FME REST v3)'),
    query: HealthQuerySchema,
    parameters: { ready: 'FME asks whether the server is ready to run jobs; tokenward answers the same.' },
  },
  '/fmeapiv4/healthcheck/liveness': healthCheck('getLivenessV4', 'Liveness (FME API v4)'),
  '/fmeapiv4/healthcheck/readiness': healthCheck('getReadinessV4', 'Readiness (FME API v4)'),
};

/** One check, mounted by the app at each of HEALTH_PATHS (one router each, for its description). */
export function createHealthRoutes({ store, log, path }: HealthRoutesDeps) {
  const routes = new Hono();

  // Whatever credential arrives is ignored: load balancers and FME's CLI (which sends its saved token,
  // valid or not) must get the same answer. Readiness and liveness both mean the store answers.
  describe(DESCRIPTIONS[path], routes.get('/', check));

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
