// Public identity (/fmeinfo/version) and the authenticated /fmerest/v3/info, in FME's shapes.
import { Hono } from 'hono';
import { type Info, InfoSchema, VersionSchema } from '../../shared/schemas/info';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { type Clock, toFmeInfoTime } from '../time';
import { serverVersion } from '../version';

export interface InfoRoutesDeps {
  clock: Clock;
  authenticate: Authenticate;
  /** The build number reported to FME clients (FME_BUILD_NUMBER). */
  buildNumber?: number;
}

/** `/fmeinfo`: no authentication, and no credential is checked. */
export function createVersionRoutes({ buildNumber }: { buildNumber?: number }) {
  const routes = new Hono();
  const version = serverVersion(buildNumber);
  // Safe's CLI sends Basic or its saved token here while signing in, and must learn the build whether or not
  // that credential is (still) good.
  routes.get(
    '/version',
    describe({
      operationId: 'getVersion',
      summary: 'Server version',
      description:
        'FME clients choose REST v3 or v4 by `buildNumber` (below 22337 by default: v3 for every command of ' +
        "Safe's CLI; FME_BUILD_NUMBER changes it). Any credential sent is ignored.",
      tag: TAGS.server,
      security: 'none',
      responses: { 200: json('The server build and version.', VersionSchema) },
    }),
  );
  routes.get('/version', (c) => c.json(version));
  return routes;
}

/** `/fmerest/v3/info`, for a signed-in caller. */
export function createInfoRoutes({ clock, authenticate, buildNumber }: InfoRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  const version = serverVersion(buildNumber);

  routes.get(
    '/',
    describe({
      operationId: 'getInfo',
      summary: 'Server information',
      tag: TAGS.server,
      security: 'fmetoken-or-basic',
      responses: {
        200: json('Version, current time (FME format, UTC) and time zone (+0000).', InfoSchema),
        ...errorResponses(401),
      },
    }),
  );
  routes.get('/', authenticate, (c) =>
    c.json({
      build: version.build,
      version: version.version,
      currentTime: toFmeInfoTime(clock.now()),
      timeZone: '+0000',
      licenseManagement: false,
    } satisfies Info),
  );

  return routes;
}
