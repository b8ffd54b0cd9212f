// Property tests of the injection pattern compiler: the DNR condition it emits, run through a model of the browser's
// matching, selects exactly the URLs the documented language names (README, "Injection"), and nothing unconfirmed
// reaches another site, port or scheme.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDnrRules, type Pages, pagesAllow, tokenKey } from '../extension/core/dnr-rules';
import { anchoredOrigin } from '../extension/core/regex-anchor';
import { parseRules } from '../extension/core/rule';
import { isBroad, parsePattern, patternCondition, urlMatches } from '../extension/core/url-patterns';
import { conditionMatches, requestMatches } from '../extension/testing/dnr-match-model';
import { type InjectionRule, RESOURCE_TYPES } from '../shared/schemas/injection-rules';

/** Fewer under mutation testing (mutation/vitest.config.ts), where the suite runs once per mutant. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3000);

/** A pattern of the language, by its parts: the reference matcher reads these, never the compiler's output. */
interface Spec {
  scheme?: 'http' | 'https';
  host: string;
  subdomains: boolean;
  port?: number;
  path: string;
}

/** Hosts and the registrable domain each belongs to (an IP address or a single label is its own). */
const SITES: Record<string, string> = {
  'api.example.com': 'example.com',
  'example.com': 'example.com',
  'example.co.uk': 'example.co.uk',
  'a-b.test': 'a-b.test',
  '127.0.0.1': '127.0.0.1',
  localhost: 'localhost',
  '[::1]': '[::1]',
};
const OTHER_HOSTS = ['evil.com', 'notexample.com', 'example.com.evil.com', 'co.uk', '127.0.0.2', 'test'];
const PATHS = [
  '',
  '/',
  '/api',
  '/api/',
  '/v1/items',
  '/a.b',
  '/API',
  '/a%20b',
  '/x(y)',
  '/a+b',
  '/ns',
  '/a,b',
];
const PORTS = [80, 443, 3000, 8080];
const DEFAULT_PORT = { http: 80, https: 443 } as const;
/** A WebSocket handshake goes to its HTTP twin: the language names ws:// with http:// and wss:// with https://. */
const HTTP_SCHEME: Record<string, 'http' | 'https' | undefined> = {
  'http:': 'http',
  'ws:': 'http',
  'https:': 'https',
  'wss:': 'https',
};
const WEB_PROTOCOLS = ['http:', 'https:', 'ws:', 'wss:'];

function registrableDomain(host: string): string {
  const known = Object.entries(SITES).find(([name]) => host === name || host.endsWith(`.${name}`));
  if (known) return known[1];
  return host.endsWith('.co.uk') ? host.split('.').slice(-3).join('.') : host.split('.').slice(-2).join('.');
}

const dnsName = (host: string) => !/^[\d.]+$/.test(host) && !host.startsWith('[');

const specs: fc.Arbitrary<Spec> = fc
  .record({
    scheme: fc.constantFrom(undefined, 'http' as const, 'https' as const),
    host: fc.constantFrom(...Object.keys(SITES)),
    subdomains: fc.boolean(),
    port: fc.constantFrom(undefined, ...PORTS),
    path: fc.constantFrom(...PATHS),
  })
  .map(({ scheme, host, subdomains, port, path }) => ({
    ...(scheme && { scheme }),
    host,
    subdomains: subdomains && dnsName(host),
    ...(port !== undefined && { port }),
    path: path === '' ? '/' : path,
  }));

/** The pattern as a user might type it: host in any case; `https://h:443` is the same as `https://h`. */
function textOf(spec: Spec, upper: boolean): string {
  const host = upper ? spec.host.toUpperCase() : spec.host;
  return `${spec.scheme ? `${spec.scheme}://` : ''}${spec.subdomains ? '*.' : ''}${host}${
    spec.port === undefined ? '' : `:${spec.port}`
  }${spec.path === '/' ? '' : spec.path}`;
}

/** The documented language, written plainly against the URL's parts. */
function reference(spec: Spec, raw: string): boolean {
  const url = new URL(raw);
  const scheme = HTTP_SCHEME[url.protocol];
  if (scheme === undefined) return false;
  if (spec.scheme !== undefined && spec.scheme !== scheme) return false;
  if (url.username !== '' || url.password !== '') return false;
  const hostOk = url.hostname === spec.host || (spec.subdomains && url.hostname.endsWith(`.${spec.host}`));
  if (!hostOk) return false;
  const port = url.port === '' ? DEFAULT_PORT[scheme] : Number(url.port);
  if (port !== (spec.port ?? DEFAULT_PORT[scheme])) return false;
  if (spec.path.endsWith('/')) return url.pathname.startsWith(spec.path);
  return url.pathname === spec.path || url.pathname.startsWith(`${spec.path}/`);
}

/** URLs near a pattern: its own, and every way of almost being it. */
function urlsNear(spec: Spec, text: string): fc.Arbitrary<string> {
  const hostVariants = [
    spec.host,
    `x.${spec.host}`,
    `a.b.${spec.host}`,
    `${spec.host}.evil.com`,
    `not${spec.host}`,
    spec.host.toUpperCase(),
    ...Object.keys(SITES),
    ...OTHER_HOSTS,
  ].filter((host) => dnsName(host) || !/^[a-z]/i.test(host));
  const pathBase = spec.path === '/' ? '' : spec.path;
  const pathVariants = [
    spec.path,
    `${pathBase}x`,
    `${pathBase}/x`,
    `${pathBase}?q=1`,
    `${pathBase},x`,
    `${pathBase};x`,
    `${pathBase}=x`,
    `${pathBase}#frag`,
    pathBase.toUpperCase() || '/',
    pathBase.toLowerCase() || '/',
    `/leak?r=${text}`,
    `/leak?r=://${text}`,
    `/private/${text}`,
    '/',
  ];
  return fc
    .record({
      scheme: fc.constantFrom('http', 'https', 'ws', 'wss', 'ftp', 'HTTP'),
      userinfo: fc.constantFrom('', '', '', 'user@', 'user:pw@', `${spec.host}@`, `${spec.host}:8080@`),
      host: fc.constantFrom(...hostVariants),
      port: fc.constantFrom('', '', `:${spec.port ?? 80}`, ':80', ':443', ':3000', ':8080', ':9999'),
      path: fc.constantFrom(...pathVariants),
    })
    .map(({ scheme, userinfo, host, port, path }) => `${scheme}://${userinfo}${host}${port}${path}`)
    .filter((url) => URL.canParse(url));
}

const cases = specs.chain((spec) =>
  fc.boolean().chain((upper) => {
    const text = textOf(spec, upper);
    return fc.record({
      spec: fc.constant(spec),
      text: fc.constant(text),
      url: urlsNear(spec, text),
    });
  }),
);

function parsed(text: string) {
  const result = parsePattern(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.value;
}

describe('the pattern compiler', () => {
  it('emits a condition that matches exactly the URLs the language names, and the badge agrees', () => {
    fc.assert(
      fc.property(cases, ({ spec, text, url }) => {
        const pattern = parsed(text);
        const condition = patternCondition(pattern);
        const expected = reference(spec, url);
        expect(conditionMatches(condition, url), `${text} → ${condition.regexFilter} on ${url}`).toBe(
          expected,
        );
        expect(urlMatches(pattern, url)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets a pattern accepted without confirmation reach another site, port or scheme', () => {
    fc.assert(
      fc.property(cases, ({ spec, text, url }) => {
        const pattern = parsed(text);
        if (isBroad(pattern) || !conditionMatches(patternCondition(pattern), url)) return;
        const target = new URL(url);
        const scheme = HTTP_SCHEME[target.protocol];
        if (scheme === undefined) throw new Error(`${url} is not a web URL`);
        expect(registrableDomain(target.hostname)).toBe(registrableDomain(spec.host));
        expect(target.port === '' ? DEFAULT_PORT[scheme] : Number(target.port)).toBe(
          spec.port ?? DEFAULT_PORT[scheme],
        );
        expect(target.username).toBe('');
      }),
      { numRuns: RUNS },
    );
  });

  const regexes = fc
    .record({
      anchor: fc.constantFrom('^', '^', ''),
      scheme: fc.constantFrom('https?', 'https', 'http', '(?:http|https)', '[a-z]+', 'http.?'),
      slashes: fc.constantFrom(String.raw`:\/\/`, '://', ':/+'),
      host: fc.constantFrom(
        String.raw`api\.example\.com`,
        'api.example.com',
        String.raw`[a-z]+\.example\.com`,
        String.raw`127\.0\.0\.1`,
        String.raw`a\.test`,
      ),
      port: fc.constantFrom('', String.raw`(?::\d+)?`, ':8080', String.raw`:\d+`, '.*', '[^/]*'),
      end: fc.constantFrom(String.raw`\/`, '/', '', '$'),
      rest: fc.constantFrom('', 'api', String.raw`v[12]\/`, '(a|b)', '.*', '|.*', String.raw`|\.com\/`),
    })
    .map((parts) => Object.values(parts).join(''));
  const regexUrls = fc
    .record({
      scheme: fc.constantFrom('http', 'https', 'ws', 'ftp'),
      userinfo: fc.constantFrom('', 'api.example.com@', 'a.test:8080@'),
      host: fc.constantFrom(
        'api.example.com',
        'a.test',
        '127.0.0.1',
        'apixexample.com',
        'a.test.evil.com',
        'evil.com',
        'x.example.com',
        'a-test',
      ),
      port: fc.constantFrom('', ':8080', ':9999'),
      path: fc.constantFrom('/', '/api', '/v1/', '/a', '/b?x=https://api.example.com/', '/.com/'),
    })
    .map(({ scheme, userinfo, host, port, path }) => `${scheme}://${userinfo}${host}${port}${path}`);

  it('counts a regex as narrow only when its source pins a literal scheme and host, which it then never leaves', () => {
    fc.assert(
      fc.property(regexes, regexUrls, (source, url) => {
        const pattern = parsed(`/${source}/`);
        const matches = conditionMatches(patternCondition(pattern), url);
        expect(urlMatches(pattern, url)).toBe(matches);
        if (isBroad(pattern) || !matches) return;
        const target = new URL(url);
        expect(WEB_PROTOCOLS).toContain(target.protocol);
        expect(target.hostname).toBe(anchoredOrigin(source)?.host);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('whose requests carry the token (the builder against the model of the browser)', () => {
  const TOKEN = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'probe' };
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];
  /** Pages that may start a request: the pattern's own host on other ports, its site, other sites, opaque, none. */
  const initiatorsNear = (host: string) =>
    fc.constantFrom(
      undefined,
      'null',
      `http://${host}`,
      `https://${host}:8443`,
      ...(dnsName(host) ? [`http://x.${host}`] : []),
      ...Object.keys(SITES).map((other) => `https://${other}`),
      ...OTHER_HOSTS.map((other) => `http://${other}:3000`),
    );
  const pagesOf = (host: string): fc.Arbitrary<Pages> =>
    fc.oneof(
      fc.constant({ kind: 'own' as const }),
      fc.constant({ kind: 'any' as const }),
      fc
        .subarray([host, 'example.com', 'evil.com', '127.0.0.2', 'localhost'], { minLength: 1 })
        .map((initiators) => ({ kind: 'listed' as const, initiators })),
    );
  const requests = cases.chain(({ spec, text, url }) =>
    fc.record({
      spec: fc.constant(spec),
      text: fc.constant(text),
      pages: pagesOf(spec.host.replace(/^\[.*\]$/, 'localhost')),
      types: fc.option(fc.subarray([...RESOURCE_TYPES], { minLength: 1 }), { nil: undefined }),
      request: fc.record({
        url: fc.constant(url),
        type: fc.constantFrom(...RESOURCE_TYPES),
        method: fc.constantFrom(...METHODS),
        initiator: initiatorsNear(spec.host),
      }),
    }),
  );

  /** What the README promises, written against the request's parts. */
  function pagesReference(
    pages: Pages,
    request: { url: string; type: string; method: string; initiator?: string },
  ) {
    if (pages.kind === 'any') return true;
    const from =
      request.initiator === undefined || request.initiator === 'null'
        ? undefined
        : new URL(request.initiator);
    if (pages.kind === 'listed')
      return (
        from !== undefined &&
        pages.initiators.some((host) => from.hostname === host || from.hostname.endsWith(`.${host}`))
      );
    const safeNavigation =
      request.type === 'main_frame' && (request.method === 'GET' || request.method === 'HEAD');
    return (
      safeNavigation ||
      (from !== undefined &&
        registrableDomain(from.hostname) === registrableDomain(new URL(request.url).hostname))
    );
  }

  it('puts the token on exactly the requests the rule names: its URLs, its types and its pages', () => {
    fc.assert(
      fc.property(requests, ({ spec, text, pages, types, request }) => {
        const rule: InjectionRule = {
          id: 1,
          token: TOKEN,
          patterns: [text],
          enabled: true,
          allowBroad: true,
          ...(types && { resourceTypes: types }),
          ...(pages.kind === 'listed' && { initiators: pages.initiators }),
          ...(pages.kind === 'any' && { anyPage: true }),
        };
        const out = buildDnrRules({
          rules: parseRules([rule]),
          values: new Map([[tokenKey(TOKEN), 'a'.repeat(40)]]),
          tokens: {},
          paused: false,
          now: 0,
        });
        const carried = out.dynamic.some((dnr) => requestMatches(dnr.condition, request, registrableDomain));
        const expected =
          reference(spec, request.url) &&
          (types ?? RESOURCE_TYPES).includes(request.type) &&
          pagesReference(pages, request);
        expect(carried, `${text} ${JSON.stringify({ pages, types, request })}`).toBe(expected);
        // Nothing another site, an opaque frame or the browser itself starts carries it, but safe navigations.
        const from =
          request.initiator === undefined || request.initiator === 'null'
            ? undefined
            : new URL(request.initiator);
        const ownSite =
          from !== undefined && registrableDomain(from.hostname) === registrableDomain(spec.host);
        if (pages.kind === 'own' && carried && !ownSite) {
          expect(request.type).toBe('main_frame');
          expect(['GET', 'HEAD']).toContain(request.method);
        }
        // Which rule a 401 answered is told in JavaScript without the public suffix list: the same answer
        // wherever the last two labels are the site.
        const plain = (host: string) =>
          /^[\d.[]/.test(host) || registrableDomain(host) === host.split('.').slice(-2).join('.');
        if (
          reference(spec, request.url) &&
          (from === undefined || plain(from.hostname)) &&
          plain(new URL(request.url).hostname)
        )
          expect(pagesAllow(pages, request)).toBe(pagesReference(pages, request));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the narrow-regex check', () => {
  // Regexes near a narrow one: a named host and port, then every way a boundary after them can be written or
  // weakened, and what may follow. Evaluated as JavaScript regexes: every construct the check accepts means the
  // same in RE2, and the ones that do not are refused before they are read (checked by the constants below).
  const NAMED = [
    { text: String.raw`a\.test`, host: 'a.test' },
    { text: String.raw`127\.0\.0\.1`, host: '127.0.0.1' },
    { text: String.raw`api\.a-b\.test`, host: 'api.a-b.test' },
    { text: String.raw`a\.tes`, host: 'a.tes' },
    { text: 'a.test', host: 'a.test' },
    { text: String.raw`a\.test\.`, host: 'a.test.' },
  ];
  /** Half of the time one of the forms the check accepts, else any form: each part, on its own. */
  const part = (accepted: string[], others: string[]) =>
    fc.oneof(fc.constantFrom(...accepted), fc.constantFrom(...accepted, ...others));
  const regexes = fc.record({
    anchor: part(['^'], ['', '(?:^)']),
    scheme: part(
      ['http', 'https', 'https?', 'ws', 'wss?', '(?:http|https)', '(https|wss)'],
      ['(?:http|https)?', 'http?', 'https*', '[a-z]+'],
    ),
    slashes: part([String.raw`:\/\/`, '://', String.raw`:\//`], [':/+', String.raw`:\/\/?`, ':/{2}']),
    named: fc.constantFrom(...NAMED),
    port: part(
      ['', ':8080', ':80', ':443'],
      [
        ':08080',
        ':99999',
        String.raw`(?::\d+)?`,
        String.raw`:\d+`,
        ':80?',
        ':808?0',
        ':8{2}',
        String.raw`:80\d`,
        ':?',
      ],
    ),
    boundary: part(
      [
        String.raw`\/`,
        '/',
        '$',
        '[/?#]',
        String.raw`[\/]`,
        '(?:[/?#]|$)',
        String.raw`(\/|$)`,
        String.raw`(?:\/|\?|#|$)`,
      ],
      [
        String.raw`\/?`,
        String.raw`\/*`,
        String.raw`\/{0}`,
        String.raw`\/{0,1}`,
        String.raw`\/+`,
        String.raw`(?:\/)?`,
        '(?:[/?#]|$)?',
        String.raw`(?:\/|.)`,
        '[^a]',
        '[/a]',
        '.',
        '',
        '-',
        String.raw`\.`,
        String.raw`(?=\/)`,
        '(?!x)',
        String.raw`(?<=\d)`,
      ],
    ),
    // Firefox's engine is JavaScript's: lookaround and backreferences only ever refuse a match, so after the
    // boundary they keep the anchor; RE2's own syntax (`\Q…\E`, `[[:alpha:]]`, `\pL`) reads differently in
    // JavaScript, which matters only where it could hide a `|`, and such a rest is refused.
    rest: part(
      [
        '',
        'api',
        '.*',
        '(a|b)',
        '$',
        '(?=api)',
        String.raw`(?<=\/)api`,
        '(?!x).*',
        String.raw`(a)\1`,
        String.raw`(?<n>a)\k<n>`,
        String.raw`\Q.*\E`,
        '[[:alpha:]]+',
        String.raw`\pL`,
      ],
      [
        '|.*',
        String.raw`\Q|\E`,
        '[|]',
        '(?:x|.*)',
        ')|(',
        '(?=a|b)',
        '(?<=x)|.*',
        '[[:alpha:]|]',
        String.raw`\p{L}|x`,
      ],
    ),
  });
  const urls = fc
    .record({
      scheme: fc.constantFrom('http', 'https', 'ws', 'wss', 'ftp'),
      userinfo: fc.constantFrom('', '', 'a.test@', 'a.test:8080@'),
      host: fc.constantFrom(
        'a.test',
        'a.tes',
        'a.test.evil.com',
        'a.testing',
        'a.test-evil.com',
        'api.a-b.test',
        '127.0.0.1',
        '127.0.0.10',
        'evil.com',
        'x.a.test',
      ),
      port: fc.constantFrom('', ':80', ':443', ':8080', ':9999', ':80800'),
      path: fc.constantFrom('/', '/api', '/a', '/x?u=https://a.test/', '/socket'),
    })
    .map(({ scheme, userinfo, host, port, path }) => `${scheme}://${userinfo}${host}${port}${path}`)
    .filter((url) => URL.canParse(url));

  it('accepts a regex as narrow only if every URL it matches has the scheme, host and port it names', () => {
    let narrow = 0;
    fc.assert(
      fc.property(regexes, urls, (parts, raw) => {
        const source = `${parts.anchor}${parts.scheme}${parts.slashes}${parts.named.text}${parts.port}${parts.boundary}${parts.rest}`;
        let expression: RegExp;
        try {
          expression = new RegExp(source);
        } catch {
          return;
        }
        const origin = anchoredOrigin(source);
        if (origin === null) return;
        narrow++;
        const url = new URL(raw);
        url.hash = '';
        if (!expression.test(url.href)) return;
        const scheme = url.protocol.slice(0, -1);
        expect(origin.schemes as string[], `${source} on ${url.href}`).toContain(scheme);
        expect(url.hostname, `${source} on ${url.href}`).toBe(origin.host);
        const defaultPort = HTTP_SCHEME[url.protocol] === 'https' ? 443 : 80;
        expect(url.port === '' ? defaultPort : Number(url.port), `${source} on ${url.href}`).toBe(
          origin.port ?? defaultPort,
        );
        expect(url.username).toBe('');
      }),
      { numRuns: RUNS * 3 },
    );
    // The generator reaches the narrow class often enough for the property to mean something.
    expect(narrow).toBeGreaterThan(RUNS / 20);
  });

  it('names the origin it proved', () => {
    expect(anchoredOrigin(String.raw`^https?:\/\/127\.0\.0\.1:8080\/api`)).toEqual({
      schemes: ['http', 'https'],
      host: '127.0.0.1',
      port: 8080,
    });
    expect(anchoredOrigin(String.raw`^(?:wss|https)://a\.test(?:[/?#]|$)`)).toEqual({
      schemes: ['wss', 'https'],
      host: 'a.test',
    });
    expect(anchoredOrigin('^wss?://a-b.test/')).toBeNull();
  });

  it('refuses, as unprovable, syntax that RE2 and JavaScript read differently around a `|`', () => {
    // RE2 quotes `\Q…\E` and nests POSIX classes; JavaScript reads `\Q` as `Q` and ends a class at the first `]`.
    for (const rest of [
      String.raw`\Q(\E|.*`,
      '[[:alpha:]](a|.*)',
      String.raw`\p{L}(|.*)`,
      String.raw`\x{28}|.*`,
    ])
      expect(anchoredOrigin(`^https://a\\.test/${rest}`), rest).toBeNull();
    expect(anchoredOrigin(String.raw`^https://a\.test/(v1|v2)/`)).not.toBeNull();
    expect(anchoredOrigin(String.raw`^https://a\.test/[a-z]+/x`)).not.toBeNull();
  });
});

describe('any text a user may type', () => {
  const pieces = fc.constantFrom(
    ...[
      'http',
      's',
      '://',
      '*',
      '*.',
      '.',
      'a',
      'example',
      'com',
      'co',
      'uk',
      '127.0.0.1',
      '[::1]',
      'localhost',
    ],
    ...[':', '8080', '/', 'api', '?', '#', '@', '%20', '\\', '^', '$', '|', '(', ')', '\\.', '\\/', '+', ' '],
  );
  const texts = fc.array(pieces, { maxLength: 10 }).map((parts) => parts.join(''));
  const targets = fc.constantFrom(
    ...[
      'http://a.example.com/api',
      'https://example.com:8080/api/x',
      'http://127.0.0.1:8080/',
      'http://[::1]/api',
      'https://evil.com/?u=a.example.com/api',
      'http://a.example.com@evil.com/api',
      'ws://example.com/',
      'http://localhost/api?x',
      'https://co.uk/',
      'https://example.co.uk/api',
    ],
  );

  it('either refuses it or compiles it to an expression that, unconfirmed, stays on the host it names', () => {
    fc.assert(
      fc.property(texts, targets, (text, url) => {
        const result = parsePattern(text);
        if (!result.ok) return;
        const pattern = result.value;
        const condition = patternCondition(pattern);
        expect(() => new RegExp(condition.regexFilter)).not.toThrow();
        expect(urlMatches(pattern, url)).toBe(conditionMatches(condition, url));
        if (isBroad(pattern) || !conditionMatches(condition, url)) return;
        const target = new URL(url);
        expect(WEB_PROTOCOLS).toContain(target.protocol);
        expect(target.username).toBe('');
        const host = pattern.kind === 'regex' ? anchoredOrigin(pattern.source)?.host : pattern.host;
        expect(host).not.toBeNull();
        const named = pattern.kind === 'host' && pattern.subdomains;
        expect(target.hostname === host || (named && target.hostname.endsWith(`.${host}`))).toBe(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('broadness by meaning', () => {
  it.each([
    '*',
    '<all_urls>',
    '*://*/*',
    'http://',
    'https://*/api',
    '*.com',
    '*.co.uk',
    '*.localhost',
    '/^http:/',
    '/\\.com\\//',
    '/api/',
    '/.*/',
    '/^https?:\\/\\//',
    '/^https:\\/\\/a\\.test/',
    '/^https:\\/\\/a.test\\//',
    '/^https:\\/\\/[a-z]+\\.test\\//',
    '/^https:\\/\\/a\\.test\\/|.*/',
    '/^(https:\\/\\/a\\.test\\/|.*)/',
    '/https:\\/\\/a\\.test\\//',
    // RE2 quotes \Q…\E: the bracket is literal there, so the `|` is top-level and `.*` matches any URL.
    '/^https:\\/\\/api\\.example\\.com\\/\\Q(\\E|.*(?:\\Q)\\E)?/',
    '/^https:\\/\\/a\\.test\\/[(](a|b)/',
    '/^https:\\/\\/a\\.test\\/\\x28a|.*/',
    // Written with the host, but the slash after it is optional or repeated zero times (so
    // nothing ends the host): another port (`:9999`) or a longer host (`a.test.evil.com`, `a.testing`) matches.
    '/^https:\\/\\/a\\.test\\/?/',
    '/^https:\\/\\/a\\.test\\/*/',
    '/^https:\\/\\/a\\.test\\/{0}/',
    '/^https:\\/\\/a\\.test\\/{0,1}api/',
    '/^https:\\/\\/a\\.test(?:\\/)?/',
    '/^https:\\/\\/a\\.test[/]?/',
    '/^https:\\/\\/a\\.test.*/',
    '/^https:\\/\\/a\\.tes(?:t)\\//',
    '/^http:\\/\\/127\\.0\\.0\\.1(:\\d+)?\\//',
    '/^http:\\/\\/127\\.0\\.0\\.1:80\\d\\//',
    '/^http:\\/\\/127\\.0\\.0\\.1:808?0\\//',
    '/^http?:\\/\\/a\\.test\\//',
    '/^(?:http|https)?:\\/\\/a\\.test\\//',
    '/^https:\\/\\/?a\\.test\\//',
    '/^https:\\/\\/a\\.test(?:[/?#]|$)?/',
    '/^https:\\/\\/a\\.test(?:[/?#]|.)/',
    '/^https:\\/\\/a\\.test[^a]/',
    '/^ftp:\\/\\/a\\.test\\//',
    '/^https:\\/\\/A\\.test\\//',
    // Every `*.` pattern can reach more than one host; `co.uk` or `github.io` are public suffixes.
    '*.example.com',
    '*.example.co.uk',
    '*.github.io',
  ])('%s needs the confirmation', (text) => {
    expect(isBroad(parsed(text))).toBe(true);
  });

  it.each([
    'api.example.com/v1',
    '127.0.0.1:3000',
    'localhost',
    '[::1]:8080/api',
    'https://127.0.0.1',
    '/^https?:\\/\\/127\\.0\\.0\\.1:8080\\/api(\\/|$)/',
    '/^(?:http|https):\\/\\/a\\.test\\/(a|b)/',
    '/^https:\\/\\/api\\.example\\.com(?:[/?#]|$)/',
    '/^https:\\/\\/api\\.example\\.com:8443(\\/|$)/',
    '/^wss?:\\/\\/a\\.test\\/socket/',
    '/^(?:https|wss):\\/\\/a\\.test\\//',
  ])('%s does not', (text) => {
    expect(isBroad(parsed(text))).toBe(false);
  });
});

describe('the model of the browser', () => {
  it('shows the leak of the former compiler: `*` and requestDomains widen it', () => {
    const former = { urlFilter: '|http*://127.0.0.1:4000/ns', requestDomains: ['127.0.0.1'] };
    expect(conditionMatches(former, 'http://127.0.0.1:5000/leak?r=://127.0.0.1:4000/ns')).toBe(true);
    const current = patternCondition(parsed('127.0.0.1:4000/ns'));
    expect(conditionMatches(current, 'http://127.0.0.1:5000/leak?r=://127.0.0.1:4000/ns')).toBe(false);
    expect(conditionMatches(current, 'http://127.0.0.1:4000/ns/x')).toBe(true);
    expect(conditionMatches(current, 'https://127.0.0.1:4000/ns?q')).toBe(true);
  });

  it('reads `^` as a separator that also matches `,` and `;`, and `||` as a host anchor', () => {
    expect(conditionMatches({ urlFilter: '|http://a.test/api^' }, 'http://a.test/api,x')).toBe(true);
    expect(conditionMatches({ urlFilter: '|http://a.test/api^' }, 'http://a.test/apix')).toBe(false);
    expect(conditionMatches({ urlFilter: '||a.test/' }, 'https://x.a.test/')).toBe(true);
    expect(conditionMatches({ urlFilter: '||a.test/' }, 'https://xa.test/')).toBe(false);
    expect(conditionMatches({ urlFilter: '|http://a.test/API' }, 'http://a.test/api')).toBe(true);
    expect(
      conditionMatches(
        { urlFilter: '|http://a.test/API', isUrlFilterCaseSensitive: true },
        'http://a.test/api',
      ),
    ).toBe(false);
  });
});
