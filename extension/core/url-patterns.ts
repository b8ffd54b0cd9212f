// URL patterns of injection rules: the language (README, "Injection"), its one compiler to a DNR condition, and
// the broadness check. The badge and the 401 check run the compiled condition, so they agree with the browser.
import { anchoredOrigin } from './regex-anchor';

export type UrlPattern =
  | {
      kind: 'host';
      /** Absent: http and https. */
      scheme?: 'http' | 'https';
      /** Canonical (lower case, punycode; IPv6 in brackets); `*` for every host. */
      host: string;
      /** `*.host`: the host and its subdomains. */
      subdomains: boolean;
      /** Absent: the scheme's default port. Never the default port of the pattern's only scheme. */
      port?: number;
      /** Case-sensitive path prefix, starting with `/`, matched at a segment boundary. */
      path: string;
    }
  | { kind: 'regex'; source: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const BROAD_WARNING = 'This sends your token to more than one host, possibly to every site you visit.';
export const ANY_PAGE_WARNING =
  'Every site you visit can then send requests that carry your token here: forms it submits, images, scripts and frames it loads.';

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** `[http://|https://]host[:port][/path-prefix]`, `*.` for subdomains, `*` / `<all_urls>` for every host, or `/regex/`. */
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
  if (/[?#]/.test(text))
    return fail(`"${text}": a pattern names a path prefix; leave out the ?query and #fragment.`);
  const match = /^(?:([a-z*][a-z0-9+.-]*):\/\/)?([^/]*)(\/.*)?$/i.exec(text);
  if (!match) return fail(`"${text}" is not a host with an optional port and path.`);
  const [, rawScheme, authority = '', rawPath = '/'] = match;
  const schemeText = rawScheme?.toLowerCase();
  if (schemeText !== undefined && schemeText !== 'http' && schemeText !== 'https' && schemeText !== '*')
    return fail(`"${text}": only http:// and https:// can carry a token.`);
  const scheme = schemeText === 'http' || schemeText === 'https' ? schemeText : undefined;
  if (authority.includes('@')) return fail(`"${text}": a pattern has no user name (nothing before an @).`);
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (!hostPort) return fail(`"${text}": the port must be a number.`);
  const [, rawHost = '', portText] = hostPort;
  const path = canonicalPath(rawPath.replace(/\*+$/, ''));
  if (path === null || path.includes('*'))
    return fail(`"${text}": a path is a plain prefix; use a /regex/ for wildcards inside it.`);
  if (rawHost === '' || rawHost === '*')
    return { ok: true, value: { ...everyHost(), ...(scheme && { scheme }), path } };
  const subdomains = rawHost.startsWith('*.');
  const host = canonicalHost(subdomains ? rawHost.slice(2) : rawHost);
  if (host === null)
    return fail(`"${text}": "${rawHost}" is not a host name (a * is allowed only as "*." at the start).`);
  // (`*.[::1]` never gets here: a bracket only opens an authority.)
  if (subdomains && IPV4.test(host)) return fail(`"${text}": an IP address has no subdomains.`);
  let port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) return fail(`"${text}": the port must be 1–65535.`);
  // `https://host:443` is `https://host`: the browser's URL leaves the default port out.
  if (scheme && port === DEFAULT_PORT[scheme]) port = undefined;
  return {
    ok: true,
    value: {
      kind: 'host',
      ...(scheme && { scheme }),
      host,
      subdomains,
      ...(port !== undefined && { port }),
      path,
    },
  };
}

function everyHost(): Extract<UrlPattern, { kind: 'host' }> {
  return { kind: 'host', host: '*', subdomains: true, path: '/' };
}

/** The host as the browser writes it in a URL (lower case, punycode, IPv4 and IPv6 normalised), or null. */
function canonicalHost(raw: string): string | null {
  // Characters the URL parser would read as the end of the host, or silently drop.
  if (/[*\\/?#@%\s]/.test(raw)) return null;
  let host: string;
  try {
    const url = new URL(`http://${raw}/`);
    if (url.pathname !== '/' || url.port !== '') return null;
    host = url.hostname;
  } catch {
    return null;
  }
  if (host.startsWith('[') || IPV4.test(host)) return host;
  return host.split('.').every((label) => HOST_LABEL.test(label)) ? host : null;
}

/** The path as the browser writes it (percent-encoded, dot segments resolved), or null if it is not a plain path. */
function canonicalPath(raw: string): string | null {
  if (raw === '') return '/';
  try {
    const url = new URL(`http://host${raw}`);
    return url.host === 'host' ? url.pathname : null;
  } catch {
    return null;
  }
}

/**
 * True when a pattern can send the token to more than one host: every host, any `*.` pattern (its subdomains are
 * hosts of their own, and whether `*.name` is one owner's domain or a public suffix such as `co.uk` cannot be told
 * without the public suffix list), or a regex whose source does not prove one host and port (regex-anchor.ts).
 */
export function isBroad(pattern: UrlPattern): boolean {
  if (pattern.kind === 'regex') return anchoredOrigin(pattern.source) === null;
  // Every host (`*`) is parsed as the subdomains of the root.
  return pattern.subdomains;
}

/** The part of a DNR condition that selects the URLs of one pattern. */
export interface UrlCondition {
  regexFilter: string;
  /** Paths are case-sensitive; the browser already writes scheme and host in lower case. */
  isUrlFilterCaseSensitive: true;
}

/** A WebSocket handshake is an HTTP request the browser matches under its own scheme: ws:// for http://. */
const SCHEME_EXPRESSION = { http: '(?:http|ws)', https: '(?:https|wss)' } as const;
const EITHER_SCHEME = '(?:http|ws)s?';

/**
 * One anchored RE2 expression per pattern: scheme (and its WebSocket twin), exact host (or `.host` suffix), port,
 * and the path prefix followed by `/`, `?` or the end. Nothing may sit between `://` and the host, so `user@`
 * tricks never match.
 */
export function patternCondition(pattern: UrlPattern): UrlCondition {
  if (pattern.kind === 'regex') return { regexFilter: pattern.source, isUrlFilterCaseSensitive: true };
  const path = pattern.path.endsWith('/') ? literal(pattern.path) : `${literal(pattern.path)}(?:[/?#]|$)`;
  const scheme = pattern.scheme ? SCHEME_EXPRESSION[pattern.scheme] : EITHER_SCHEME;
  if (pattern.host === '*')
    return { regexFilter: `^${scheme}://[^/?#]+${path}`, isUrlFilterCaseSensitive: true };
  const host = `${pattern.subdomains ? String.raw`(?:[^/:?#@]+\.)?` : ''}${literal(pattern.host)}`;
  // How each scheme writes the port: nothing for its default port.
  const ports = (pattern.scheme ? [pattern.scheme] : (['http', 'https'] as const)).map((scheme) => ({
    scheme,
    port: pattern.port === undefined || pattern.port === DEFAULT_PORT[scheme] ? '' : `:${pattern.port}`,
  }));
  const [first, second] = ports;
  const origin =
    first && second && first.port !== second.port
      ? `(?:${ports.map(({ scheme, port }) => `${SCHEME_EXPRESSION[scheme]}://${host}${port}`).join('|')})`
      : `${scheme}://${host}${first?.port ?? ''}`;
  return { regexFilter: `^${origin}${path}`, isUrlFilterCaseSensitive: true };
}

function literal(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** The URL as the browser matches it: canonical, without the fragment (never sent). */
function requestUrl(rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  url.hash = '';
  return url.href;
}

/** The compiled condition run in JavaScript, for the badge and for deciding which rule a 401 answered. */
export function urlMatches(pattern: UrlPattern, rawUrl: string): boolean {
  const url = requestUrl(rawUrl);
  if (url === null) return false;
  try {
    return new RegExp(patternCondition(pattern).regexFilter).test(url);
  } catch {
    return false;
  }
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
