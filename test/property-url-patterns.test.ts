// Property tests of the injection pattern compiler: the DNR condition it emits, run through a model of the browser's
// matching, selects exactly the URLs the documented language names (README, "Injection"), and nothing unconfirmed
// reaches another site, port or scheme.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionMatches } from '../extension/testing/dnr-match-model';
import { anchoredHost } from '../extension/utils/regex-anchor';
import { isBroad, parsePattern, patternCondition, urlMatches } from '../extension/utils/url-patterns';

const RUNS = 3000;

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
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
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
        expect(['http:', 'https:']).toContain(target.protocol);
        expect(registrableDomain(target.hostname)).toBe(registrableDomain(spec.host));
        const scheme = target.protocol === 'http:' ? 'http' : 'https';
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
        expect(['http:', 'https:']).toContain(target.protocol);
        expect(target.hostname).toBe(anchoredHost(source));
      }),
      { numRuns: RUNS },
    );
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
        expect(['http:', 'https:']).toContain(target.protocol);
        expect(target.username).toBe('');
        const host = pattern.kind === 'regex' ? anchoredHost(pattern.source) : pattern.host;
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
    '/^https:\\/\\/api\\.example\\.com(:\\d+)?\\//',
    '/^https?:\\/\\/127\\.0\\.0\\.1:8080\\/api(\\/|$)/',
    '/^(?:http|https):\\/\\/a\\.test\\/(a|b)/',
  ])('%s does not', (text) => {
    expect(isBroad(parsed(text))).toBe(false);
  });
});

describe('the model of the browser', () => {
  it('shows the leak of the former compiler (finding 1): `*` and requestDomains widen it', () => {
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
