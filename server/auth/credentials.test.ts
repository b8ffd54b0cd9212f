import { describe, expect, it } from 'vitest';
import { createTokenValue, isWellFormedTokenValue } from '../../shared/token-format';
import { type CredentialSources, type Credentials, parseCredentials, plainTokenOf } from './credentials';

const T1 = '0123456789abcdef0123456789abcdef01234567';
const T2 = 'fedcba9876543210fedcba9876543210fedcba98';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const cases: Array<[string, CredentialSources, Credentials]> = [
  ['nothing', { authorization: undefined, urlTokens: [] }, { kind: 'none' }],
  [
    'fmetoken header',
    { authorization: `fmetoken token=${T1}`, urlTokens: [] },
    { kind: 'token', value: T1, fromParameter: false },
  ],
  [
    'scheme and parameter in any case',
    { authorization: `FMETOKEN Token=${T1}`, urlTokens: [] },
    { kind: 'token', value: T1, fromParameter: false },
  ],
  [
    'whitespace around =',
    { authorization: `  fmetoken   token = ${T1}  `, urlTokens: [] },
    { kind: 'token', value: T1, fromParameter: false },
  ],
  [
    'quoted value',
    { authorization: `fmetoken token="${T1}"`, urlTokens: [] },
    { kind: 'token', value: T1, fromParameter: false },
  ],
  [
    'query token',
    { authorization: undefined, urlTokens: [T1] },
    { kind: 'token', value: T1, fromParameter: true },
  ],
  [
    'same token as header and query',
    { authorization: `fmetoken token=${T1}`, urlTokens: [T1] },
    { kind: 'token', value: T1, fromParameter: true },
  ],
  [
    'same token twice in the query',
    { authorization: undefined, urlTokens: [T1, T1] },
    { kind: 'token', value: T1, fromParameter: true },
  ],
  [
    'different header and query tokens',
    { authorization: `fmetoken token=${T1}`, urlTokens: [T2] },
    { kind: 'conflicting' },
  ],
  ['two different query tokens', { authorization: undefined, urlTokens: [T1, T2] }, { kind: 'conflicting' }],
  [
    'Basic and a query token',
    { authorization: `Basic ${b64('alice:pw')}`, urlTokens: [T1] },
    { kind: 'conflicting' },
  ],
  [
    'Basic',
    { authorization: `Basic ${b64('alice:s3cret')}`, urlTokens: [] },
    { kind: 'basic', user: 'alice', password: 's3cret' },
  ],
  [
    'Basic splits at the first colon',
    { authorization: `basic ${b64('alice:a:b:c')}`, urlTokens: [] },
    { kind: 'basic', user: 'alice', password: 'a:b:c' },
  ],
  [
    'Basic with UTF-8',
    { authorization: `Basic ${b64('zoë:päss')}`, urlTokens: [] },
    { kind: 'basic', user: 'zoë', password: 'päss' },
  ],
  ['Basic without a colon', { authorization: `Basic ${b64('alice')}`, urlTokens: [] }, { kind: 'malformed' }],
  [
    'Basic with an empty user',
    { authorization: `Basic ${b64(':pw')}`, urlTokens: [] },
    { kind: 'malformed' },
  ],
  ['Basic that is not base64', { authorization: 'Basic ***', urlTokens: [] }, { kind: 'malformed' }],
  ['Bearer is not a scheme here', { authorization: `Bearer ${T1}`, urlTokens: [] }, { kind: 'malformed' }],
  ['fmetoken without a value', { authorization: 'fmetoken token=', urlTokens: [] }, { kind: 'malformed' }],
  [
    'fmetoken with the wrong parameter',
    { authorization: `fmetoken value=${T1}`, urlTokens: [] },
    { kind: 'malformed' },
  ],
  ['empty header', { authorization: '', urlTokens: [] }, { kind: 'malformed' }],
  ['empty query value', { authorization: undefined, urlTokens: [''] }, { kind: 'malformed' }],
  [
    'malformed header with a good query token',
    { authorization: 'junk', urlTokens: [T1] },
    { kind: 'malformed' },
  ],
];

describe('parseCredentials', () => {
  it.each(cases)('%s', (_name, sources, expected) => {
    expect(parseCredentials(sources)).toEqual(expected);
  });
});

// The short way must never say more than the full parse: a value it finds is the one the parse finds, or one
// the caller refuses either way (not a well-formed value).
const REAL = createTokenValue();
const shortcuts: CredentialSources[] = [
  ...cases.map(([, sources]) => sources),
  { authorization: `fmetoken token=${REAL}`, urlTokens: [] },
  { authorization: `fmetoken token=${REAL.slice(0, -1)}0`, urlTokens: [] },
  { authorization: `fmetoken token=${T1}`, urlTokens: [T2] },
  { authorization: `fmetoken token=${T1}`, urlTokens: [T1] },
  { authorization: `fmetoken token="${T1.slice(2)}"`, urlTokens: [] },
  { authorization: `fmetoken token=${T1.slice(1)} `, urlTokens: [] },
  { authorization: `fmetoken token= ${T1.slice(1)}`, urlTokens: [] },
  { authorization: `fmetoken token=${T1.slice(0, 20)} ${T1.slice(21)}`, urlTokens: [] },
  { authorization: `fmetoken token=${T1.toUpperCase()}`, urlTokens: [] },
];

describe('plainTokenOf', () => {
  it('finds the value of the header every FME client sends, alone', () => {
    expect(plainTokenOf({ authorization: `fmetoken token=${T1}`, urlTokens: [] })).toBe(T1);
    expect(plainTokenOf({ authorization: `fmetoken token=${T1}`, urlTokens: [T1] })).toBeUndefined();
    expect(plainTokenOf({ authorization: `FMETOKEN token=${T1}`, urlTokens: [] })).toBeUndefined();
  });

  it.each(shortcuts.map((sources) => [JSON.stringify(sources), sources] as const))(
    'agrees with parseCredentials: %s',
    (_name, sources) => {
      const plain = plainTokenOf(sources);
      if (plain === undefined) return;
      const parsed = parseCredentials(sources);
      if (isWellFormedTokenValue(plain))
        expect(parsed).toEqual({ kind: 'token', value: plain, fromParameter: false });
      else expect(parsed.kind === 'token' && isWellFormedTokenValue(parsed.value)).toBe(false);
    },
  );
});
