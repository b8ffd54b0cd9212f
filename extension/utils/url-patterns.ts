// URL patterns of injection rules: parsing, the "every site" check, the DNR condition, and a matcher for the badge.

export type UrlPattern =
  | {
      kind: 'host';
      /** Absent: http and https. */
      scheme?: 'http' | 'https';
      /** Lower case; `*` for every host. */
      host: string;
      /** `*.host`: the host and its subdomains. */
      subdomains: boolean;
      /** Absent: the scheme's default port. */
      port?: number;
      /** Path prefix, starting with `/`. */
      path: string;
    }
  | { kind: 'regex'; source: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const BROAD_WARNING = 'This sends your token to every site you visit.';

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
// Unrelated URLs: a regex that matches two of them is not about one API.
const PROBE_URLS = [
  'https://example.org/',
  'http://tokenward-probe.test:8080/a/b?c=d',
  'https://a.b.c.example/',
];

/** `host[:port][/path]` with optional `http://`/`https://` and `*.` for subdomains, or `/regex/`. */
export function parsePattern(input: string): Parsed<UrlPattern> {
  const text = input.trim();
  if (text === '') return fail('A URL pattern cannot be empty.');
  if (text.length > 2 && text.startsWith('/') && text.endsWith('/')) {
    const source = text.slice(1, -1);
    try {
      new RegExp(source);
    } catch {
      return fail(`"${text}" is not a valid regular expression.`);
    }
    return { ok: true, value: { kind: 'regex', source } };
  }
  if (text === '<all_urls>' || text === '*') return { ok: true, value: everyHost() };
  const match = /^(?:([a-z*]+):\/\/)?([^/?#]*)(\/[^#]*)?$/i.exec(text);
  if (!match) return fail(`"${text}" is not a host with an optional port and path.`);
  const [, rawScheme, authority = '', rawPath = '/'] = match;
  const scheme = rawScheme?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https' && scheme !== '*')
    return fail(`"${text}": only http:// and https:// can carry a token.`);
  const hostPort = /^([^:]*)(?::(\d{1,5}))?$/.exec(authority.toLowerCase());
  if (!hostPort) return fail(`"${text}": the port must be a number (IPv6 addresses are not supported).`);
  const [, host = '', portText] = hostPort;
  const path = rawPath.replace(/\*+$/, '') || '/';
  if (host === '' || host === '*') {
    return {
      ok: true,
      value: { ...everyHost(), ...(scheme === 'http' || scheme === 'https' ? { scheme } : {}) },
    };
  }
  const subdomains = host.startsWith('*.');
  const bare = subdomains ? host.slice(2) : host;
  const labels = bare.split('.');
  if (!labels.every((label) => HOST_LABEL.test(label)))
    return fail(`"${text}": "${host}" is not a host name (a * is allowed only as "*." at the start).`);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) return fail(`"${text}": the port must be 1–65535.`);
  if (path.includes('*'))
    return fail(`"${text}": a path is a prefix; use a /regex/ for wildcards inside it.`);
  return {
    ok: true,
    value: {
      kind: 'host',
      ...(scheme === 'http' || scheme === 'https' ? { scheme } : {}),
      host: bare,
      subdomains,
      ...(port === undefined ? {} : { port }),
      path,
    },
  };
}

function everyHost(): UrlPattern {
  return { kind: 'host', host: '*', subdomains: true, path: '/' };
}

/** True for a pattern that would send the token to every site (or every site under a top-level domain). */
export function isBroad(pattern: UrlPattern): boolean {
  if (pattern.kind === 'regex') {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.source, 'i');
    } catch {
      return false;
    }
    return PROBE_URLS.filter((url) => regex.test(url)).length >= 2;
  }
  return pattern.host === '*' || (pattern.subdomains && !pattern.host.includes('.'));
}

/** The part of a DNR condition that selects the URLs of one pattern. */
export interface UrlCondition {
  urlFilter?: string;
  regexFilter?: string;
  requestDomains?: string[];
}

export function patternCondition(pattern: UrlPattern): UrlCondition {
  if (pattern.kind === 'regex') return { regexFilter: pattern.source };
  if (pattern.host === '*') return pattern.scheme ? { urlFilter: `|${pattern.scheme}://` } : {};
  // requestDomains pins the host (and its subdomains); the anchored urlFilter adds scheme, exact host, port, path.
  const scheme = pattern.scheme ?? 'http*';
  const port = pattern.port === undefined ? '' : `:${pattern.port}`;
  const host = pattern.subdomains ? `*${pattern.host}` : pattern.host;
  return { urlFilter: `|${scheme}://${host}${port}${pattern.path}`, requestDomains: [pattern.host] };
}

/** The same choice in JavaScript, for the badge and for deciding which rule a 401 answered. */
export function urlMatches(pattern: UrlPattern, rawUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (pattern.kind === 'regex') {
    try {
      return new RegExp(pattern.source).test(url.href);
    } catch {
      return false;
    }
  }
  if (pattern.scheme && url.protocol !== `${pattern.scheme}:`) return false;
  if (pattern.host === '*') return true;
  const host = url.hostname.toLowerCase();
  const hostOk = host === pattern.host || (pattern.subdomains && host.endsWith(`.${pattern.host}`));
  if (!hostOk) return false;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const wanted = pattern.port ?? (url.protocol === 'https:' ? 443 : 80);
  if (port !== wanted) return false;
  return `${url.pathname}${url.search}`.toLowerCase().startsWith(pattern.path.toLowerCase());
}

/** A host name of an initiator page: `app.example.com` (no scheme, port or path: DNR matches domains). */
export function parseInitiator(input: string): Parsed<string> {
  const text = input.trim().toLowerCase();
  const labels = text.split('.');
  if (text === '' || !labels.every((label) => HOST_LABEL.test(label)))
    return fail(`"${input.trim()}" is not a host name of a page (write it without http:// and port).`);
  return { ok: true, value: text };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
