// Route drift: every route the app serves has a description beside it, and every description has a route.
import type { RouterRoute } from 'hono/types';
import { findTargetHandler } from 'hono/utils/handler';
import { uniqueSymbol } from 'hono-openapi';
import { asDocumented } from './describe';

export interface RouteDrift {
  /** "METHOD /path" of routes served without describe() or undocumented(). */
  undescribed: string[];
  /** "METHOD /path" of descriptions whose method and path no handler serves (or that are middleware). */
  stray: string[];
}

export function isDescription(route: RouterRoute): boolean {
  return Object.hasOwn(findTargetHandler(route.handler), uniqueSymbol);
}

export function findRouteDrift(routes: readonly RouterRoute[]): RouteDrift {
  const key = (route: RouterRoute) => `${route.method} ${route.path}`;
  const served = new Set<string>();
  const described = new Set<string>();
  for (const route of routes.map(asDocumented)) {
    if (isDescription(route)) described.add(key(route));
    // Middleware (`use`) is registered for every method: it is not an operation of its own.
    else if (route.method !== 'ALL') served.add(key(route));
  }
  return {
    undescribed: [...served].filter((route) => !described.has(route)).sort(),
    stray: [...described].filter((route) => !served.has(route)).sort(),
  };
}
