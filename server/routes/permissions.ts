// The permission catalogue, for any signed-in caller: GET /fmerest/v3/security/permissions.
import { Hono } from 'hono';
import { describeCatalogue } from '../../shared/permissions';
import { PermissionCatalogueSchema } from '../../shared/schemas/permissions';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';

export function createPermissionRoutes({ authenticate }: { authenticate: Authenticate }) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);
  describe(
    {
      operationId: 'getPermissionCatalogue',
      summary: 'The permission catalogue',
      description: 'Categories, levels, labels and dependencies, and what each built-in role grants.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      responses: { 200: json('The catalogue.', PermissionCatalogueSchema), ...errorResponses(401) },
    },
    routes.get('/', (c) => c.json(describeCatalogue())),
  );
  return routes;
}
