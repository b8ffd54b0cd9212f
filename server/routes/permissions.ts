// The permission catalogue, for any signed-in caller: GET /fmerest/v3/security/permissions.
import { Hono } from 'hono';
import { describeCatalogue } from '../../shared/permissions';
import type { AuthEnv, Authenticate } from '../auth/authenticate';

export function createPermissionRoutes({ authenticate }: { authenticate: Authenticate }) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);
  routes.get('/', (c) => c.json(describeCatalogue()));
  return routes;
}
