// The way in: security headers on every answer, and the global middleware only for requests it can concern.
import { type ErrorHandler, Hono, type MiddlewareHandler } from 'hono';
import { nodeBindings } from './node-bindings';
import { carriesQueryToken, setSecurityHeaders, withNoStore, withSecurityHeaders } from './security-headers';

/** A request's headers by lower-case name, as Node parses them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Global middleware, with the cheap test (method and headers only) of whether a request can concern it. */
export interface Guard {
  middleware: MiddlewareHandler;
  concerns(method: string, headers: RequestHeaders): boolean;
}

export interface FrontDoorOptions {
  /** In order; a request any of them concerns passes through all of them, as global middleware would. */
  guards: readonly Guard[];
  /** Writes the error body of whatever a guard throws (the app's own error handler). */
  onError: ErrorHandler;
  isHttps(request: Request, env: unknown): boolean;
}

/**
 * Replaces `app.fetch` (and so `app.request`) with the front door. Any global middleware makes Hono run every
 * route through its async compose (a promise per layer, and no answer @hono/node-server can write at once), which
 * makes even the public route measurably dearer than on bare Hono. Most requests (a GET without a body, no CORS
 * origin to answer) concern none of it. Those go
 * straight to the routes, the rest through a second app holding the middleware in front of the same routes,
 * so every rule still holds for every request it concerns.
 */
export function installFrontDoor(app: Hono, { guards, onError, isHttps }: FrontDoorOptions): void {
  const routes = app.fetch;
  const guarded = new Hono();
  for (const guard of guards) guarded.use(guard.middleware);
  // `c.req.raw` read when the middleware is done: the body limit may have put a counting body in its place.
  guarded.all('*', (c) => routes(c.req.raw, c.env));
  guarded.onError(onError);

  const enter = (request: Request, env: unknown, headers: RequestHeaders) => {
    const method = request.method;
    for (const guard of guards) if (guard.concerns(method, headers)) return guarded.fetch(request, env);
    return routes(request, env);
  };

  const respond = (request: Request, env: unknown): Response | Promise<Response> => {
    const node = nodeBindings(env);
    const https = isHttps(request, env);
    if (node?.outgoing) {
      setSecurityHeaders(node.outgoing, https);
      // Node has already parsed the headers into a plain object of lower-case names.
      return enter(request, env, node.incoming.headers);
    }
    // In memory (`app.request`, tests) there is no Node response to put them on.
    const res = enter(request, env, Object.fromEntries(request.headers));
    return res instanceof Promise
      ? res.then((answer) => withSecurityHeaders(answer, https))
      : withSecurityHeaders(res, https);
  };

  app.fetch = (request, env) => {
    if (!carriesQueryToken(request.url)) return respond(request, env);
    // Every answer to a request with a token in its URL, refusals and errors included, is kept by no cache.
    const res = respond(request, env);
    return res instanceof Promise ? res.then(withNoStore) : withNoStore(res);
  };
}
