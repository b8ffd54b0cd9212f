// Node's own request and response, which @hono/node-server hands the app as its bindings (`c.env`).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface NodeBindings {
  incoming: IncomingMessage;
  /** Absent when something other than @hono/node-server's listener passes the request on. */
  outgoing?: ServerResponse;
}

/** The bindings, directly or under `server`; undefined in memory (`app.request`, tests), where there is no socket. */
export function nodeBindings(env: unknown): NodeBindings | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const bindings =
    'server' in env && typeof env.server === 'object' && env.server !== null ? env.server : env;
  return 'incoming' in bindings ? (bindings as NodeBindings) : undefined;
}
