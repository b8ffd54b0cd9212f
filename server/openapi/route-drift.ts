// Route drift: every route the app serves carries a description on the handler that answers it.
import type { RouterRoute } from 'hono/types';
import { findTargetHandler } from 'hono/utils/handler';
import { uniqueSymbol } from 'hono-openapi';

export interface RouteDrift {
  /** "METHOD /path" of routes served without describe() or undocumented(). */
  undescribed: string[];
  /**
   * "METHOD /path" of descriptions not on the handler that answers: on middleware (registered for every method),
   * or on a handler that passes the request on to another one (a description in the request's way).
   */
  stray: string[];
}

export function isDescription(route: RouterRoute): boolean {
  return Object.hasOwn(findTargetHandler(route.handler), uniqueSymbol);
}

export function findRouteDrift(routes: readonly RouterRoute[]): RouteDrift {
  const key = (route: RouterRoute) => `${route.method} ${route.path}`;
  // The handler registered last for a method and path is the one that answers it.
  const answering = new Map<string, RouterRoute>();
  for (const route of routes) if (route.method !== 'ALL') answering.set(key(route), route);
  const undescribed = [...answering].filter(([, route]) => !isDescription(route)).map(([name]) => name);
  const stray = routes
    .filter((route) => isDescription(route) && answering.get(key(route)) !== route)
    .map(key);
  return { undescribed: undescribed.sort(), stray: [...new Set(stray)].sort() };
}
