// POST /fmerest/v3/tokens/revoke: anyone may report leaked token values; the real ones are disabled.
import { Hono } from 'hono';
import { ReportAcceptedSchema, ReportLeakedTokensBodySchema } from '../../shared/schemas/token';
import { rateLimited } from '../errors';
import type { AddressRateLimit } from '../http/address-rate-limit';
import type { ClientAddress } from '../http/client-address';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import type { LeakReports } from '../tokens/leak-reports';
import { jsonBody } from '../validation';

export interface TokenRevokeRoutesDeps {
  report: LeakReports;
  clientAddress: ClientAddress;
  rateLimit: AddressRateLimit;
}

/** Mounted at /fmerest/v3/tokens/revoke, before the token routes (which authenticate everything else there). */
export function createTokenRevokeRoutes({ report, clientAddress, rateLimit }: TokenRevokeRoutesDeps) {
  const routes = new Hono();
  describe(
    {
      operationId: 'reportLeakedTokens',
      summary: 'Report leaked token values',
      description:
        'No credential needed: whoever finds token values where they should not be (a repository, a log, a ' +
        'paste) sends them here. Each real token is disabled and marked `exposed` for its owner; a lease is ' +
        'ended. The answer is the same whatever the values were. Limited per client address.',
      tag: TAGS.tokens,
      security: 'none',
      body: { mediaType: 'application/json', schema: ReportLeakedTokensBodySchema, required: true },
      responses: {
        202: json('Received; nothing about which values were real.', ReportAcceptedSchema),
        ...errorResponses(400, 415, 422, 429),
      },
    },
    routes.post(
      '/',
      async function limitReports(c, next) {
        const wait = await rateLimit(clientAddress.of(c));
        if (wait !== undefined)
          throw rateLimited(wait, 'Too many reports from this address; try again later.');
        await next();
      },
      ...jsonBody(ReportLeakedTokensBodySchema),
      async (c) => {
        await report(c.req.valid('json').tokens, clientAddress.of(c));
        return c.json({}, 202);
      },
    ),
  );
  return routes;
}
