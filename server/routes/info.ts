// Public identity (/fmeinfo/version) and the authenticated /fmerest/v3/info, in FME's shapes.
import { Hono } from 'hono';
import { type Info, InfoSchema, VersionSchema } from '../../shared/schemas/info';
import type { AuthEnv, WithAuthentication } from '../auth/authenticate';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { type Clock, toFmeInfoTime } from '../time';
import { serverVersion } from '../version';

export interface InfoRoutesDeps {
  clock: Clock;
  /** Authentication around the route's one handler (createAuthenticated). */
  authenticated: WithAuthentication;
  /** The build number reported to FME clients (FME_BUILD_NUMBER). */
  buildNumber?: number;
}

// One header, a string: Hono keeps the answer's headers a plain object, @hono/node-server's fast path. Frozen:
// every answer shares it, and whatever adds a header copies it first.
const JSON_TYPE = Object.freeze({ 'Content-Type': 'application/json' });

/** `/fmeinfo`: no authentication, and no credential is checked. */
export function createVersionRoutes({ buildNumber }: { buildNumber?: number }) {
  const routes = new Hono();
  // The same answer for the life of the process: written once.
  const body = JSON.stringify(serverVersion(buildNumber));
  // Safe's CLI sends Basic or its saved token here while signing in, and must learn the build whether or not
  // that credential is (still) good.
  describe(
    {
      operationId: 'getVersion',
      summary: 'Server version',
      description:
        'FME clients choose REST v3 or v4 by `buildNumber` (below 22337 by default: v3 for every command of ' +
        "Safe's CLI; FME_BUILD_NUMBER changes it). Any credential sent is ignored.",
      tag: TAGS.server,
      security: 'none',
      responses: { 200: json('The server build and version.', VersionSchema) },
    },
    routes.get('/version', (c) => c.body(body, 200, JSON_TYPE)),
  );
  return routes;
}

/** `/fmerest/v3/info`, for a signed-in caller. */
export function createInfoRoutes({ clock, authenticated, buildNumber }: InfoRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  const version = serverVersion(buildNumber);
  // Only currentTime changes, once a second: the body is written once a second, not per request (/info is
  // what token checks hit most).
  let bodySecond = Number.NaN;
  let body = '';
  const bodyAt = (milliseconds: number) => {
    const second = Math.floor(milliseconds / 1000);
    if (second !== bodySecond) {
      body = JSON.stringify({
        build: version.build,
        version: version.version,
        currentTime: toFmeInfoTime(milliseconds),
        timeZone: '+0000',
        licenseManagement: false,
      } satisfies Info);
      bodySecond = second;
    }
    return body;
  };

  describe(
    {
      operationId: 'getInfo',
      summary: 'Server information',
      tag: TAGS.server,
      security: 'fmetoken-or-basic',
      responses: {
        200: json('Version, current time (FME format, UTC) and time zone (+0000).', InfoSchema),
        ...errorResponses(401),
      },
    },
    routes.get(
      '/',
      authenticated((c) => c.body(bodyAt(clock.now()), 200, JSON_TYPE)),
    ),
  );

  return routes;
}
