// Which methods the app serves at a path, so an unserved method gets 405 with Allow rather than 404.
interface RouteLike {
  method: string;
  path: string;
}

function patternOf(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}

/** Builds, once, a function that names the methods served at a path (empty when none). */
export function createAllowedMethods(routes: readonly RouteLike[]): (path: string) => string[] {
  const compiled = routes
    // A method with a space is not one (OpenAPI descriptions are registered under such names, off the path).
    .filter((route) => route.method !== 'ALL' && !route.method.includes(' ') && !route.path.includes('*'))
    .map((route) => ({ method: route.method, pattern: patternOf(route.path) }));
  return (path) => {
    const methods = new Set(
      compiled.filter((route) => route.pattern.test(path)).map((route) => route.method),
    );
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
