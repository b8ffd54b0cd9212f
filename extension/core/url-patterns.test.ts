// The pattern language's parser and compiler, case by case: what each input parses to (or why not), and the
// expression each shape compiles to. The property tests check the meaning; these pin every branch of the code.
import { describe, expect, it } from 'vitest';
import {
  ANY_PAGE_WARNING,
  BROAD_WARNING,
  isBroad,
  parseInitiator,
  parsePattern,
  patternCondition,
  type UrlPattern,
  urlMatches,
} from './url-patterns';

function parsed(text: string): UrlPattern {
  const result = parsePattern(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.value;
}

const host = (fields: Partial<Extract<UrlPattern, { kind: 'host' }>>): UrlPattern => ({
  kind: 'host',
  host: 'a.test',
  subdomains: false,
  path: '/',
  ...fields,
});

describe('parsePattern', () => {
  it.each<[string, UrlPattern]>([
    ['a.test', host({})],
    ['  a.test  ', host({})],
    ['A.Test', host({})],
    ['HTTPS://a.test', host({ scheme: 'https' })],
    ['http://a.test/api', host({ scheme: 'http', path: '/api' })],
    ['*://a.test', host({})],
    ['*.a.test', host({ subdomains: true })],
    ['*.1.2.3.4.example', host({ host: '1.2.3.4.example', subdomains: true })],
    ['a.test:1', host({ port: 1 })],
    ['a.test:65535', host({ port: 65535 })],
    ['a.test:443', host({ port: 443 })],
    ['https://a.test:443', host({ scheme: 'https' })],
    ['http://a.test:80/x', host({ scheme: 'http', path: '/x' })],
    ['http://a.test:443', host({ scheme: 'http', port: 443 })],
    ['a.test/api*', host({ path: '/api' })],
    ['a.test/api**', host({ path: '/api' })],
    ['a.test/a b', host({ path: '/a%20b' })],
    ['a.test/x/../y', host({ path: '/y' })],
    ['0x7f.0.0.1', host({ host: '127.0.0.1' })],
    ['[::1]:8080', host({ host: '[::1]', port: 8080 })],
    ['xn--bcher-kva.test', host({ host: 'xn--bcher-kva.test' })],
    ['Bücher.test', host({ host: 'xn--bcher-kva.test' })],
    ['*', { kind: 'host', host: '*', subdomains: true, path: '/' }],
    ['<all_urls>', { kind: 'host', host: '*', subdomains: true, path: '/' }],
    ['https://*/api', { kind: 'host', scheme: 'https', host: '*', subdomains: true, path: '/api' }],
    ['http://', { kind: 'host', scheme: 'http', host: '*', subdomains: true, path: '/' }],
    ['*/api', { kind: 'host', host: '*', subdomains: true, path: '/api' }],
    ['/api', { kind: 'host', host: '*', subdomains: true, path: '/api' }],
    ['//', { kind: 'host', host: '*', subdomains: true, path: '//' }],
    ['/a/', { kind: 'regex', source: 'a' }],
    ['/^https:\\/\\/a\\.test\\//', { kind: 'regex', source: '^https:\\/\\/a\\.test\\/' }],
  ])('%s', (text, pattern) => {
    expect(parsePattern(text)).toStrictEqual({ ok: true, value: pattern });
  });

  it.each([
    ['', 'A URL pattern cannot be empty.'],
    ['   ', 'A URL pattern cannot be empty.'],
    ['/(/', '"/(/" is not a valid regular expression.'],
    ['a.test?x', '"a.test?x": a pattern names a path prefix; leave out the ?query and #fragment.'],
    ['a.test/#x', '"a.test/#x": a pattern names a path prefix; leave out the ?query and #fragment.'],
    ['a.test/x\ny', '"a.test/x\ny" is not a host with an optional port and path.'],
    ['ftp://a.test', '"ftp://a.test": only http:// and https:// can carry a token.'],
    ['user@a.test', '"user@a.test": a pattern has no user name (nothing before an @).'],
    ['a.test:abc', '"a.test:abc": the port must be a number.'],
    ['a.test:80:90', '"a.test:80:90": the port must be a number.'],
    ['a.test:0', '"a.test:0": the port must be 1–65535.'],
    ['a.test:65536', '"a.test:65536": the port must be 1–65535.'],
    ['a.test/a*b', '"a.test/a*b": a path is a plain prefix; use a /regex/ for wildcards inside it.'],
    ['a*.test', '"a*.test": "a*.test" is not a host name (a * is allowed only as "*." at the start).'],
    ['a%41.test', '"a%41.test": "a%41.test" is not a host name (a * is allowed only as "*." at the start).'],
    ['a_b.test', '"a_b.test": "a_b.test" is not a host name (a * is allowed only as "*." at the start).'],
    ['256.1.1.1', '"256.1.1.1": "256.1.1.1" is not a host name (a * is allowed only as "*." at the start).'],
    ['*.127.0.0.1', '"*.127.0.0.1": an IP address has no subdomains.'],
    ['*.10.20.30.40', '"*.10.20.30.40": an IP address has no subdomains.'],
    ['*.[::1]', '"*.[::1]": the port must be a number.'],
  ])('refuses %j', (text, message) => {
    expect(parsePattern(text)).toStrictEqual({ ok: false, message });
  });
});

describe('isBroad', () => {
  it.each([
    ['*', true],
    ['https://*/api', true],
    ['*.a.test', true],
    ['a.test', false],
    ['[::1]', false],
    ['/^https:\\/\\/a\\.test\\//', false],
    ['/^https:\\/\\/a\\.test\\/?/', true],
  ])('%s: %s', (text, broad) => {
    expect(isBroad(parsed(text))).toBe(broad);
  });
});

describe('patternCondition', () => {
  it.each([
    ['a.test', '^(?:http|ws)s?://a\\.test/'],
    ['https://a.test/api', '^(?:https|wss)://a\\.test/api(?:[/?#]|$)'],
    ['http://a.test/api/', '^(?:http|ws)://a\\.test/api/'],
    ['a.test:8080/v1', '^(?:http|ws)s?://a\\.test:8080/v1(?:[/?#]|$)'],
    ['a.test:443', '^(?:(?:http|ws)://a\\.test:443|(?:https|wss)://a\\.test)/'],
    ['a.test:80', '^(?:(?:http|ws)://a\\.test|(?:https|wss)://a\\.test:80)/'],
    ['*.a.test', '^(?:http|ws)s?://(?:[^/:?#@]+\\.)?a\\.test/'],
    ['https://*/api', '^(?:https|wss)://[^/?#]+/api(?:[/?#]|$)'],
    ['*', '^(?:http|ws)s?://[^/?#]+/'],
    ['a.test/a(b)+c', '^(?:http|ws)s?://a\\.test/a\\(b\\)\\+c(?:[/?#]|$)'],
    ['/^x$/', '^x$'],
  ])('%s → %s', (text, regexFilter) => {
    expect(patternCondition(parsed(text))).toStrictEqual({ regexFilter, isUrlFilterCaseSensitive: true });
  });
});

describe('urlMatches', () => {
  it.each([
    ['a.test', 'ws://a.test/socket', true],
    ['https://a.test', 'wss://a.test/socket', true],
    ['https://a.test', 'ws://a.test/socket', false],
    ['https://*/api', 'https://any.test/api/x', true],
    ['https://*/api', 'https://any.test/apix', false],
    // The fragment is never sent, so it is never matched.
    ['/^https:\\/\\/a\\.test\\/x$/', 'https://a.test/x#y', true],
    ['/null/', 'not a url', false],
    ['a.test', 'http://a.test:80/', true],
    ['a.test:443', 'https://a.test/', true],
    ['a.test:443', 'https://a.test:8443/', false],
    ['a.test:443', 'http://a.test:443/', true],
  ])('%s on %s: %s', (text, url, expected) => {
    expect(urlMatches(parsed(text), url)).toBe(expected);
  });
});

describe('parseInitiator', () => {
  it('takes a host name in any case, trimmed; refuses anything else, quoting it as typed', () => {
    expect(parseInitiator('  App.Test ')).toStrictEqual({ ok: true, value: 'app.test' });
    expect(parseInitiator(' http://app.test ')).toStrictEqual({
      ok: false,
      message: '"http://app.test" is not a host name of a page (write it without http:// and port).',
    });
    expect(parseInitiator('')).toMatchObject({ ok: false });
    expect(parseInitiator('app..test')).toMatchObject({ ok: false });
  });
});

it('warns in the words the form shows', () => {
  expect(BROAD_WARNING).toBe(
    'This sends your token to more than one host, possibly to every site you visit.',
  );
  expect(ANY_PAGE_WARNING).toContain('Every site you visit can then send requests that carry your token');
});
