// The narrow-regex check, element by element: what each part of the grammar accepts, and what it cannot prove.
import { describe, expect, it } from 'vitest';
import { anchoredOrigin } from './regex-anchor';

const raw = String.raw;

describe('anchoredOrigin', () => {
  it.each([
    [raw`^https://a\.test/`, { schemes: ['https'], host: 'a.test' }],
    [raw`^http:\/\/a\.test\/`, { schemes: ['http'], host: 'a.test' }],
    [raw`^https?://a\.test/`, { schemes: ['http', 'https'], host: 'a.test' }],
    [raw`^wss?://a\.test/`, { schemes: ['ws', 'wss'], host: 'a.test' }],
    [raw`^wss://a\.test/`, { schemes: ['wss'], host: 'a.test' }],
    [raw`^(http)://a\.test/`, { schemes: ['http'], host: 'a.test' }],
    [raw`^(?:ws|https?)://a\.test/`, { schemes: ['ws', 'http', 'https'], host: 'a.test' }],
    [raw`^https://a-b\.c1\.test:65535/`, { schemes: ['https'], host: 'a-b.c1.test', port: 65535 }],
    [raw`^https://127\.0\.0\.1:1$`, { schemes: ['https'], host: '127.0.0.1', port: 1 }],
    [raw`^https://a\.test\?`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test#`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test\#`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test[\/?]`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test(\/|\?|$)x`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test(?:[/?#]|$)`, { schemes: ['https'], host: 'a.test' }],
    // After the boundary: a `|` inside a group, or escaped.
    [raw`^https://a\.test/(v1|v2)/`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test/a\|b`, { schemes: ['https'], host: 'a.test' }],
    [raw`^https://a\.test/((a|b)|c)`, { schemes: ['https'], host: 'a.test' }],
  ])('proves %s', (source, origin) => {
    expect(anchoredOrigin(source)).toStrictEqual(origin);
  });

  it.each([
    // The anchor and the scheme.
    raw`https://a\.test/`,
    raw`^^https://a\.test/`,
    raw`^ftp://a\.test/`,
    raw`^http?://a\.test/`,
    raw`^ws?://a\.test/`,
    raw`^https+://a\.test/`,
    raw`^https*://a\.test/`,
    raw`^httpss://a\.test/`,
    raw`^(?:http|https)?://a\.test/`,
    raw`^(?:http|https)*://a\.test/`,
    raw`^(?:http|ftp)://a\.test/`,
    raw`^(?:http|https://a\.test/`,
    raw`^(?:http|)://a\.test/`,
    raw`^https:/a\.test/`,
    raw`^https:///a\.test/`,
    raw`^https:\/\/?a\.test/`,
    raw`^https//a\.test/`,
    // The host.
    raw`^https:///`,
    raw`^https://a.test/`,
    raw`^https://a\.\.test/`,
    raw`^https://-a\.test/`,
    raw`^https://a-\.test/`,
    raw`^https://a\.test\./`,
    raw`^https://A\.test/`,
    raw`^https://a\.tes+t/`,
    raw`^https://a\.test?/`,
    raw`^https://a\.test*/`,
    raw`^https://a\.test{1}/`,
    raw`^https://[a]\.test/`,
    // The port.
    raw`^https://a\.test:/`,
    raw`^https://a\.test:0/`,
    raw`^https://a\.test:08080/`,
    raw`^https://a\.test:65536/`,
    raw`^https://a\.test:123456/`,
    raw`^https://a\.test:80?/`,
    raw`^https://a\.test:8\d/`,
    raw`^https://a\.test:\/1/`,
    raw`^https://a\.test(:\d+)?/`,
    // The boundary: missing, optional, repeated, or not one.
    raw`^https://a\.test`,
    raw`^https://a\.test\/?`,
    raw`^https://a\.test\/*`,
    raw`^https://a\.test\/+`,
    raw`^https://a\.test\/{0}`,
    raw`^https://a\.test$?`,
    raw`^https://a\.test#?`,
    raw`^https://a\.test[/?#]?`,
    raw`^https://a\.test[/?#]*`,
    raw`^https://a\.test[^/]`,
    raw`^https://a\.test[/a]`,
    raw`^https://a\.test[]`,
    raw`^https://a\.test.`,
    raw`^https://a\.test-`,
    raw`^https://a\.test(\/|$)?`,
    raw`^https://a\.test(\/|$){0,1}`,
    raw`^https://a\.test(\/|.)`,
    raw`^https://a\.test(\/|$`,
    raw`^https://a\.test()`,
    raw`^https://a\.test(?:)`,
    // After the boundary: a `|` that ends the anchored alternative, or syntax RE2 groups otherwise.
    raw`^https://a\.test/|.*`,
    raw`^https://a\.test/x|`,
    raw`^https://a\.test/)|(`,
    raw`^https://a\.test/(a)|.*`,
    raw`^https://a\.test/(a|b)(c)|.*`,
    raw`^https://a\.test/[|]`,
    raw`^https://a\.test/\Q(\E|.*`,
    raw`^https://a\.test/\E|.*`,
    raw`^https://a\.test/\pL(|.*)`,
    raw`^https://a\.test/\P{L}(|.*)`,
    raw`^https://a\.test/\x{28}|.*`,
  ])('cannot prove %s', (source) => {
    expect(anchoredOrigin(source)).toBeNull();
  });
});
