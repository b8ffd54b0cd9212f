// Property tests of credential parsing: generated headers and query values never cause a 5xx
// and never authenticate unless they carry a real token.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCredentials } from '../server/auth/credentials';
import { crc32Hex } from '../shared/token-format';
import { adminBasic, createTestApp, createTokenInApp } from './fixtures/test-app';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let real: string;
let disabled: string;

beforeAll(async () => {
  t = await createTestApp();
  real = await createTokenInApp(t.app, adminBasic, { name: 'real', expirationTimeout: 3600 });
  disabled = await createTokenInApp(t.app, adminBasic, {
    name: 'disabled',
    expirationTimeout: 3600,
    enabled: false,
  });
});

// A user sees the token accepted or refused; a 5xx or a 2xx for a bad value is the failure.
// 429 is the sign-in rate limit, which generated Basic headers for `admin` may trip.
const REFUSED = [400, 401, 429];

const printableAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 120,
});
const mixedCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));
const spaces = (min: number) => fc.string({ unit: fc.constantFrom(' ', '\t'), minLength: min, maxLength: 3 });
/** Values a client might put after `token=`: the real one, near misses, and junk. */
const tokenValue = fc.oneof(
  fc.constant('REAL'),
  fc.constant('DISABLED'),
  fc.stringMatching(/^[0-9a-f]{40}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((random) => random + crc32Hex(random)),
  fc.nat({ max: 39 }).map((i) => ({ mutateAt: i })),
  printableAscii,
);
type GeneratedValue = string | { mutateAt: number };

function resolveValue(generated: GeneratedValue): string {
  if (generated === 'REAL') return real;
  if (generated === 'DISABLED') return disabled;
  if (typeof generated === 'string') return generated;
  const i = generated.mutateAt;
  const replacement = real[i] === '0' ? '1' : '0';
  return real.slice(0, i) + replacement + real.slice(i + 1);
}

/** `fmetoken token=<value>` in every spelling the server accepts (scheme case, spaces, quotes), around a generated value. */
const fmetokenHeader = fc
  .record({
    lead: spaces(0),
    scheme: mixedCase('fmetoken'),
    gap: spaces(1),
    param: mixedCase('token'),
    beforeEq: spaces(0),
    afterEq: spaces(0),
    quoted: fc.boolean(),
    trail: spaces(0),
    value: tokenValue,
  })
  .map((h) => ({
    build: (value: string) => {
      const q = h.quoted ? '"' : '';
      return `${h.lead}${h.scheme}${h.gap}${h.param}${h.beforeEq}=${h.afterEq}${q}${value}${q}${h.trail}`;
    },
    value: h.value,
  }));

describe('parseCredentials', () => {
  it('never throws, whatever the header and the parameters hold', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary', maxLength: 200 }), { nil: undefined }),
        fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 4 }),
        (authorization, urlTokens) => {
          const parsed = parseCredentials({ authorization, urlTokens });
          expect(['none', 'malformed', 'conflicting', 'token', 'basic']).toContain(parsed.kind);
          if (parsed.kind === 'token') expect(parsed.value).not.toBe('');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('returns exactly the value sent in an fmetoken header, in every allowed spelling', () => {
    fc.assert(
      fc.property(fmetokenHeader, fc.stringMatching(/^[^\s"]{1,60}$/), (header, value) => {
        expect(parseCredentials({ authorization: header.build(value), urlTokens: [] })).toEqual({
          kind: 'token',
          value,
          fromParameter: false,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('returns exactly the value sent as a parameter, alone or repeated in the header', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
        fc.nat({ max: 3 }),
        (value, copies) => {
          const urlTokens = Array.from({ length: copies + 1 }, () => value);
          expect(parseCredentials({ authorization: undefined, urlTokens })).toEqual({
            kind: 'token',
            value,
            fromParameter: true,
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('splits Basic credentials at the first colon and returns user and password unchanged', () => {
    const user = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((u) => !u.includes(':'));
    fc.assert(
      fc.property(user, fc.string({ unit: 'grapheme', maxLength: 60 }), (name, password) => {
        const authorization = `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
        expect(parseCredentials({ authorization, urlTokens: [] })).toEqual({
          kind: 'basic',
          user: name,
          password,
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('GET /fmerest/v3/info with generated credentials', () => {
  const info = (path: string, headers: Record<string, string>) =>
    t.app.request(`/fmerest/v3/info${path}`, { headers });

  it('answers an arbitrary printable Authorization header with 400 or 401, never 5xx or 2xx', async () => {
    await fc.assert(
      fc.asyncProperty(printableAscii, async (authorization) => {
        fc.pre(!authorization.includes(real));
        const res = await info('', { Authorization: authorization });
        expect(REFUSED, `${res.status} for ${JSON.stringify(authorization)}`).toContain(res.status);
        if (res.status === 401)
          expect(res.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
      }),
      { numRuns: 400 },
    );
  });

  it('accepts an fmetoken header only when it carries the real, enabled token', async () => {
    await fc.assert(
      fc.asyncProperty(fmetokenHeader, async (header) => {
        const value = resolveValue(header.value);
        const authorization = header.build(value);
        const res = await info('', { Authorization: authorization });
        const label = `${res.status} for ${JSON.stringify(authorization)}`;
        // A quote inside the value breaks the quoted spelling, so only the real value itself passes.
        if (value === real) expect(res.status, label).toBe(200);
        else expect(REFUSED, label).toContain(res.status);
      }),
      { numRuns: 400 },
    );
  });

  it('answers Basic headers with generated user names and passwords with 401, never 5xx', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, fc.constant('admin')), text, async (user, password) => {
        const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
        const res = await info('', { Authorization: authorization });
        expect(REFUSED, `${res.status} for ${JSON.stringify(`${user}:${password}`)}`).toContain(res.status);
      }),
      { numRuns: 60 },
    );
  });

  it('answers arbitrary fmetoken query values (URL-encoded), with or without a header, with 400 or 401 unless real', async () => {
    const queryValue = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      tokenValue.map(resolveValue),
      fc.constant('REAL').map(resolveValue),
    );
    const header = fc.option(
      fc.oneof(
        printableAscii,
        fc.constant('REAL').map((r) => `fmetoken token=${resolveValue(r)}`),
      ),
      {
        nil: undefined,
      },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(queryValue, { minLength: 1, maxLength: 3 }),
        header,
        async (values, authorization) => {
          const query = values.map((value) => `fmetoken=${encodeURIComponent(value)}`).join('&');
          const res = await info(
            `?${query}`,
            authorization === undefined ? {} : { Authorization: authorization },
          );
          const label = `${res.status} for ?${query} with ${JSON.stringify(authorization)}`;
          const headerValue =
            authorization === undefined ? real : parseCredentials({ authorization, urlTokens: [] });
          const onlyReal =
            values.every((value) => value === real) &&
            (headerValue === real ||
              (typeof headerValue === 'object' &&
                headerValue.kind === 'token' &&
                headerValue.value === real));
          if (onlyReal) {
            expect(res.status, label).toBe(200);
            expect(res.headers.get('Cache-Control')).toBe('no-store');
          } else {
            expect(REFUSED, label).toContain(res.status);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
