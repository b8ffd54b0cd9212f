// The audit trail of tokens : GET /fmerest/v3/security/audit.
import { Hono } from 'hono';
import { type AuditList, AuditListSchema, AuditQuerySchema } from '../../shared/schemas/audit';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { type Authorizer, Permission } from '../auth/authorize';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import type { Store } from '../store/store';
import { toApiDate } from '../time';
import { query } from '../validation';

export interface AuditRoutesDeps {
  store: Store;
  authenticate: Authenticate;
  authorizer: Authorizer;
}

export function createAuditRoutes({ store, authenticate, authorizer }: AuditRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);

  // Your own tokens' events by default; another user's, or everyone's (`*`), for administrators.
  describe(
    {
      operationId: 'listAuditEvents',
      summary: 'The audit trail of token events',
      description:
        'Created, enabled, disabled, updated, duplicated, removed, expired and failed uses. Your own tokens by ' +
        'default; `user` names another user (or `*` for all), which needs `usermanagement:manage`. Newest first.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      query: AuditQuerySchema,
      responses: { 200: json('Events.', AuditListSchema), ...errorResponses(401, 403, 422) },
    },
    routes.get('/', query(AuditQuerySchema), async (c) => {
      const caller = c.var.auth;
      const { user, token, limit = 100, offset = 0 } = c.req.valid('query');
      if (user !== undefined && user !== caller.user.name)
        await authorizer.demand(caller, Permission.manageUsers);
      // The trail belongs to the account, not its name: an account deleted and made again starts afresh.
      let ownerId: number | undefined = caller.user.id;
      if (user === '*') ownerId = undefined;
      else if (user !== undefined && user !== caller.user.name) {
        const owner = await store.findUserByName(user.normalize('NFC'));
        if (!owner) return c.json({ items: [], totalCount: 0, limit, offset } satisfies AuditList);
        ownerId = owner.id;
      }
      const { items, total } = await store.listAuditEvents({
        ownerId,
        tokenName: token?.normalize('NFC'),
        limit,
        offset: Math.max(offset, 0),
      });
      const list: AuditList = {
        items: items.map((record) => ({
          time: toApiDate(record.at),
          event: record.event,
          user: record.owner,
          token: record.tokenName,
          tokenType: record.tokenType,
          actor: record.actor,
          client: record.client,
          reason: record.reason,
        })),
        totalCount: total,
        limit,
        offset,
      };
      return c.json(list);
    }),
  );

  return routes;
}
