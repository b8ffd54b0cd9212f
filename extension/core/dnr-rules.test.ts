// The pure mapping from injection rules to DNR rules: ids, conditions, the header, and when a rule is left out.
import { describe, expect, it } from 'vitest';
import { type InjectionRule, RESOURCE_TYPES } from '../../shared/schemas/injection-rules';
import {
  BROAD_REFUSAL,
  type BuildInput,
  buildDnrRules,
  checkRule,
  dnrRuleId,
  needsConfirmation,
  type Pages,
  pagesAllow,
  type TokenState,
  tokenKey,
  userRuleId,
} from './dnr-rules';
import { parseRules } from './rule';
import { isBroad, parsePattern, urlMatches } from './url-patterns';

const token = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'CI deploy' };
const VALUE = 'a'.repeat(40);
const NOW = Date.parse('2026-11-22T10:00:00Z');

function rule(patch: Partial<InjectionRule> = {}): InjectionRule {
  return { id: 1, token, patterns: ['api.example.com/v1'], enabled: true, ...patch };
}

function input(rules: InjectionRule[], patch: Partial<BuildInput> = {}): BuildInput {
  return {
    rules: parseRules(rules),
    values: new Map([[tokenKey(token), VALUE]]),
    tokens: {},
    paused: false,
    now: NOW,
    ...patch,
  };
}

function health(state: Partial<TokenState>): Record<string, TokenState> {
  return { [tokenKey(token)]: { health: 'valid', expirationDate: null, checkedAt: NOW, ...state } };
}

describe('buildDnrRules', () => {
  it('sets (never appends) the fmetoken header on the own site and safe navigations, with ids from rule and pattern', () => {
    const out = buildDnrRules(
      input([rule({ id: 7, patterns: ['api.example.com/v1', 'http://127.0.0.1:3000'] })]),
    );
    const action = {
      type: 'modifyHeaders',
      requestHeaders: [{ header: 'Authorization', operation: 'set', value: `fmetoken token=${VALUE}` }],
    };
    expect(out.dynamic).toEqual([
      {
        id: 700,
        priority: 1,
        action,
        condition: {
          regexFilter: '^(?:http|ws)s?://api\\.example\\.com/v1(?:[/?#]|$)',
          isUrlFilterCaseSensitive: true,
          domainType: 'firstParty',
          resourceTypes: [...RESOURCE_TYPES],
        },
      },
      {
        id: 750,
        priority: 1,
        action,
        condition: {
          regexFilter: '^(?:http|ws)s?://api\\.example\\.com/v1(?:[/?#]|$)',
          isUrlFilterCaseSensitive: true,
          requestMethods: ['get', 'head'],
          resourceTypes: ['main_frame'],
        },
      },
      expect.objectContaining({
        id: 701,
        condition: {
          regexFilter: '^(?:http|ws)://127\\.0\\.0\\.1:3000/',
          isUrlFilterCaseSensitive: true,
          domainType: 'firstParty',
          resourceTypes: [...RESOURCE_TYPES],
        },
      }),
      expect.objectContaining({
        id: 751,
        condition: expect.objectContaining({ resourceTypes: ['main_frame'] }),
      }),
    ]);
    expect(RESOURCE_TYPES).toContain('main_frame');
    expect(out.status).toEqual({ 7: { state: 'active' } });
  });

  it('gives the same rules the same ids whatever order they are stored in', () => {
    const rules = [rule({ id: 2, patterns: ['b.example'] }), rule({ id: 1, patterns: ['a.example'] })];
    const once = buildDnrRules(input(rules)).dynamic;
    const again = buildDnrRules(input([...rules].reverse())).dynamic;
    expect(once).toEqual(again);
    expect(once.map((r) => r.id)).toEqual([100, 150, 200, 250]);
    expect(new Set(once.map((r) => userRuleId(r.id)))).toEqual(new Set([1, 2]));
    // The fiftieth pattern's navigation rule stays inside its own rule's ids.
    expect(dnrRuleId(3, 49, true)).toBe(399);
    expect(userRuleId(dnrRuleId(3, 49, true))).toBe(3);
  });

  it('maps subdomains, regexes, resource types, initiators, any page and tab scope', () => {
    const out = buildDnrRules(
      input([
        rule({
          id: 1,
          patterns: ['*.example.com:8443/api'],
          allowBroad: true,
          resourceTypes: ['xmlhttprequest'],
          initiators: ['App.Example.com'],
        }),
        rule({ id: 2, patterns: ['/^https:\\/\\/a\\.test\\/v[23]\\//'], anyPage: true }),
        rule({ id: 3, patterns: ['https://tab.example'], tabId: 42, resourceTypes: ['websocket', 'image'] }),
      ]),
    );
    expect(out.dynamic.map((r) => [r.id, r.condition])).toEqual([
      [
        100,
        {
          regexFilter: '^(?:http|ws)s?://(?:[^/:?#@]+\\.)?example\\.com:8443/api(?:[/?#]|$)',
          isUrlFilterCaseSensitive: true,
          initiatorDomains: ['app.example.com'],
          resourceTypes: ['xmlhttprequest'],
        },
      ],
      [
        200,
        {
          regexFilter: '^https:\\/\\/a\\.test\\/v[23]\\/',
          isUrlFilterCaseSensitive: true,
          resourceTypes: [...RESOURCE_TYPES],
        },
      ],
    ]);
    // Without page loads among its types, a rule has no navigation rule.
    expect(out.session).toEqual([
      expect.objectContaining({
        id: 300,
        priority: 2,
        condition: {
          regexFilter: '^(?:https|wss)://tab\\.example/',
          isUrlFilterCaseSensitive: true,
          domainType: 'firstParty',
          resourceTypes: ['websocket', 'image'],
          tabIds: [42],
        },
      }),
    ]);
  });

  it('refuses a rule both for any page and for listed pages', () => {
    expect(checkRule({ patterns: ['a.test'], initiators: ['b.test'], anyPage: true })).toMatchObject({
      ok: false,
      message: expect.stringContaining('either for any page'),
    });
    expect(checkRule({ patterns: ['a.test'], anyPage: false })).toMatchObject({ pages: { kind: 'own' } });
    expect(checkRule({ patterns: ['a.test'], initiators: ['b.test'], anyPage: false })).toMatchObject({
      pages: { kind: 'listed', initiators: ['b.test'] },
    });
  });

  it.each([
    '*',
    '<all_urls>',
    '*://*/*',
    'http://',
    '*.com',
    '*.co.uk',
    '/.*/',
    '/^https?:\\/\\//',
    '/^http:/',
    '/\\.com\\//',
    '/api/',
  ])('refuses %s, which matches every site, unless the user confirmed it', (pattern) => {
    const refused = buildDnrRules(input([rule({ patterns: [pattern] })]));
    expect(refused.dynamic).toEqual([]);
    expect(refused.status[1]).toMatchObject({
      state: 'invalid',
      message: expect.stringContaining('every site you visit'),
    });
    const confirmed = buildDnrRules(input([rule({ patterns: [pattern], allowBroad: true })]));
    expect(confirmed.dynamic.map((r) => r.id)).toEqual([100, 150]);
  });

  it('refuses patterns that are not hosts or regular expressions, naming the problem', () => {
    expect(checkRule({ patterns: ['exa mple.com'] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('not a host name'),
    });
    expect(checkRule({ patterns: ['ftp://example.com'] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('http'),
    });
    expect(checkRule({ patterns: ['/([/'] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('regular expression'),
    });
    expect(checkRule({ patterns: ['example.com:99999'] })).toMatchObject({ ok: false });
    expect(checkRule({ patterns: ['example.com'], initiators: ['http://app.example.com'] })).toMatchObject({
      ok: false,
    });
  });

  it.each([
    ['disabled', { health: 'disabled' }, 'disabled'],
    ['removed', { health: 'removed' }, 'removed'],
    ['owner without access', { health: 'no-access' }, 'no access'],
    ['expired by its date', { expirationDate: '2026-11-22T09:59:59Z' }, 'expired'],
  ] as const)('leaves a rule out when its token is %s, and says why', (_label, state, words) => {
    const out = buildDnrRules(input([rule()], { tokens: health(state) }));
    expect(out.dynamic).toEqual([]);
    expect(out.status[1]?.message).toContain(words);
  });

  it('injects again once the token is valid again', () => {
    const out = buildDnrRules(
      input([rule()], { tokens: health({ health: 'valid', expirationDate: '2026-11-22T10:00:05Z' }) }),
    );
    expect(out.dynamic).toHaveLength(2);
  });

  it('says why a rule does not inject: the browser refused it, the value is missing, the server has not confirmed it', () => {
    expect(buildDnrRules(input([rule()], { failed: { 1: 'too complex' } })).status[1]).toStrictEqual({
      state: 'error',
      message: 'The browser refused this rule: too complex',
    });
    expect(buildDnrRules(input([rule()], { values: new Map() })).status[1]).toStrictEqual({
      state: 'no-value',
      message: 'The token’s value is not held in this browser: paste it to resume.',
    });
    const waiting = buildDnrRules(input([rule()], { unconfirmed: new Set([tokenKey(token)]) }));
    expect(waiting.dynamic).toEqual([]);
    expect(waiting.status[1]).toStrictEqual({
      state: 'checking',
      message: 'Waiting for the server to confirm the token (after a restart).',
    });
    expect(buildDnrRules(input([rule()], { unconfirmed: new Set(['other']) })).status[1]).toEqual({
      state: 'active',
    });
    // Another token's value is not this one's.
    const other = { ...token, name: 'other' };
    expect(buildDnrRules(input([rule({ token: other })])).status[1]?.state).toBe('no-value');
    expect(
      buildDnrRules(input([rule()], { tokens: health({ health: 'rejected' }) })).status[1],
    ).toStrictEqual({
      state: 'rejected',
      message: 'Stopped: the server refuses the token (disabled, expired or removed; sign in to see which).',
    });
  });

  it('counts a token as expired from its expiration time on, not a moment later', () => {
    const at = new Date(NOW).toISOString();
    expect(buildDnrRules(input([rule()], { tokens: health({ expirationDate: at }) })).status[1]?.state).toBe(
      'expired',
    );
  });

  it('quotes a broad pattern as typed, trimmed, and needs a confirmation if any one pattern is broad', () => {
    expect(checkRule({ patterns: ['a.test', '  *  '] })).toStrictEqual({
      ok: false,
      message: `"*" can match more than one site. ${BROAD_REFUSAL}`,
    });
    expect(needsConfirmation({ patterns: ['a.test', '*'] })).toBe(true);
    expect(needsConfirmation({ patterns: ['a.test', 'b.test'] })).toBe(false);
  });

  it('adds nothing while paused, for a rule that is off, or without the value', () => {
    expect(buildDnrRules(input([rule()], { paused: true }))).toMatchObject({
      dynamic: [],
      status: { 1: { state: 'paused' } },
    });
    expect(buildDnrRules(input([rule({ enabled: false })]))).toMatchObject({
      dynamic: [],
      status: { 1: { state: 'off' } },
    });
    expect(buildDnrRules(input([rule()], { values: new Map() }))).toMatchObject({
      dynamic: [],
      status: { 1: { state: 'no-value' } },
    });
  });
});

describe('URL patterns in JavaScript (badge, 401s) agree with the DNR conditions', () => {
  it.each([
    ['api.example.com/v1', 'https://api.example.com/v1/items', true],
    ['api.example.com/v1', 'http://api.example.com/v2', false],
    ['api.example.com/v1', 'https://api.example.com:8443/v1', false],
    ['api.example.com', 'https://evil.example/?u=api.example.com', false],
    ['api.example.com', 'https://x.api.example.com/', false],
    ['*.example.com', 'https://x.example.com/', true],
    ['*.example.com', 'https://example.com/', true],
    ['*.example.com', 'https://notexample.com/', false],
    ['http://127.0.0.1:3000/api', 'http://127.0.0.1:3000/api/x', true],
    ['http://127.0.0.1:3000/api', 'https://127.0.0.1:3000/api/x', false],
    ['/^https:\\/\\/a\\.test\\//', 'https://a.test/x', true],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:3000/api?x=1', true],
    ['127.0.0.1:3000/api', 'https://127.0.0.1:3000/api/x', true],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:3000/apix', false],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:3000/api,x', false],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:3000/API/x', false],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:4000/leak?r=://127.0.0.1:3000/api', false],
    ['127.0.0.1:3000/api', 'http://127.0.0.1:3000@evil.test/api', false],
    ['localhost:3000', 'http://localhost:3000/', true],
    ['[::1]:3000/api', 'http://[::1]:3000/api/x', true],
    ['[::1]:3000/api', 'http://[::1]:3001/api/x', false],
  ])('%s matches %s: %s', (text, url, expected) => {
    const parsed = parsePattern(text);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(urlMatches(parsed.value, url)).toBe(expected);
    // Only `*.` patterns reach more than one host here; they need the user's confirmation.
    expect(isBroad(parsed.value)).toBe(text.startsWith('*.'));
  });
});

describe('whose requests a rule reaches, in JavaScript (which rule a 401 answered)', () => {
  const own = { kind: 'own' } as const;
  const url = 'https://api.example.com/v1';
  it.each([
    ['a page on the same host', { url, initiator: 'https://api.example.com', type: 'xmlhttprequest' }, true],
    ['a page on the same site', { url, initiator: 'https://app.example.com:8080', type: 'image' }, true],
    ['a page on another site', { url, initiator: 'https://evil.test', type: 'xmlhttprequest' }, false],
    ['an opaque frame', { url, initiator: 'null', type: 'xmlhttprequest' }, false],
    ['a typed address', { url, type: 'main_frame', method: 'GET' }, true],
    ['a followed link', { url, initiator: 'https://evil.test', type: 'main_frame', method: 'HEAD' }, true],
    [
      'a form another site posts',
      { url, initiator: 'https://evil.test', type: 'main_frame', method: 'POST' },
      false,
    ],
    [
      'a frame another site opens',
      { url, initiator: 'https://evil.test', type: 'sub_frame', method: 'GET' },
      false,
    ],
    ['a request without an initiator', { url, type: 'xmlhttprequest' }, false],
    ['another IP address', { url: 'http://127.0.0.1/', initiator: 'http://127.0.0.2', type: 'image' }, false],
    [
      'the same IP address',
      { url: 'http://127.0.0.1/', initiator: 'http://127.0.0.1:9', type: 'image' },
      true,
    ],
    ['a single-label host', { url: 'http://localhost/', initiator: 'http://other', type: 'image' }, false],
  ])('own site: %s → %s', (_label, request, expected) => {
    expect(pagesAllow(own, request)).toBe(expected);
  });

  it.each([
    ['a typed address without a method (GET)', { url, type: 'main_frame' }, true],
    ['an odd method that ends like one', { url, type: 'main_frame', method: 'UNHEAD' }, false],
    ['an odd method that starts like one', { url, type: 'main_frame', method: 'GETS' }, false],
    ['a URL that is not one', { url: 'not a url', initiator: 'https://a.test', type: 'image' }, false],
    [
      'two other ports of one single-label host',
      { url: 'http://localhost:1/', initiator: 'http://localhost:2' },
      true,
    ],
    [
      'two hosts starting with a digit on one site',
      { url: 'https://1a.example.com/', initiator: 'https://2b.example.com' },
      true,
    ],
    ['two IP addresses of one network', { url: 'http://10.0.0.1/', initiator: 'http://20.0.0.1' }, false],
    ['two IPv6 addresses', { url: 'http://[::1]/', initiator: 'http://[::2]' }, false],
    [
      'names on two sites ending alike',
      { url: 'https://app.example.com/', initiator: 'https://evil.com' },
      false,
    ],
  ])('own site: %s → %s', (_label, request, expected) => {
    expect(pagesAllow(own, request)).toBe(expected);
  });

  it('listed pages: the listed hosts and their subdomains; any page: every request', () => {
    const listed: Pages = { kind: 'listed', initiators: ['app.test'] };
    expect(pagesAllow(listed, { url, initiator: 'https://app.test' })).toBe(true);
    expect(pagesAllow(listed, { url, initiator: 'https://x.app.test' })).toBe(true);
    expect(pagesAllow(listed, { url, initiator: 'https://notapp.test' })).toBe(false);
    expect(pagesAllow(listed, { url, type: 'main_frame', method: 'GET' })).toBe(false);
    expect(pagesAllow({ kind: 'any' }, { url, initiator: 'null' })).toBe(true);
  });
});
