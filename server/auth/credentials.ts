// Parses the credentials of a request: fmetoken header, fmetoken query/form, or Basic.
import { TOKEN_VALUE_LENGTH } from '../../shared/token-format';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'conflicting' }
  | { kind: 'token'; value: string; fromParameter: boolean }
  | { kind: 'basic'; user: string; password: string };

export interface CredentialSources {
  authorization: string | undefined;
  /** Every `fmetoken` value in the query string and the form body (the request's parameters). */
  urlTokens: readonly string[];
}

const PLAIN_PREFIX = 'fmetoken token=';
const PLAIN_LENGTH = PLAIN_PREFIX.length + TOKEN_VALUE_LENGTH;

/**
 * The header as every FME client writes it, `fmetoken token=<value>`, and no URL token beside it: the value,
 * found without the regular expression and the result object of parseCredentials (this is every token request's
 * first step). Anything else is undefined, and parseCredentials says what it is. Whatever value this returns,
 * parseCredentials would return it too, or (when it is not a well-formed value) refuse it as the caller will.
 */
export function plainTokenOf({ authorization, urlTokens }: CredentialSources): string | undefined {
  if (urlTokens.length > 0 || authorization === undefined) return undefined;
  if (authorization.length !== PLAIN_LENGTH || !authorization.startsWith(PLAIN_PREFIX)) return undefined;
  return authorization.slice(PLAIN_PREFIX.length);
}

const FMETOKEN_HEADER = /^\s*fmetoken\s+token\s*=\s*("?)([^\s"]*)\1\s*$/i;
const BASIC_HEADER = /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

export function parseCredentials({ authorization, urlTokens }: CredentialSources): Credentials {
  const header = authorization === undefined ? undefined : parseAuthorization(authorization);
  if (header?.kind === 'malformed') return header;

  if (urlTokens.length === 0) return header ?? { kind: 'none' };
  const distinctUrlTokens = new Set(urlTokens);
  if (distinctUrlTokens.size > 1) return { kind: 'conflicting' };
  const [urlToken] = distinctUrlTokens;
  if (urlToken === '') return { kind: 'malformed' };

  if (urlToken === undefined) return header ?? { kind: 'none' };
  if (header === undefined) return { kind: 'token', value: urlToken, fromParameter: true };
  // Real clients send the same token as header and query at once; that is one credential.
  if (header.kind === 'token' && header.value === urlToken)
    return { kind: 'token', value: urlToken, fromParameter: true };
  return { kind: 'conflicting' };
}

function parseAuthorization(value: string): Credentials {
  const token = FMETOKEN_HEADER.exec(value);
  if (token) {
    const tokenValue = token[2] ?? '';
    return tokenValue === ''
      ? { kind: 'malformed' }
      : { kind: 'token', value: tokenValue, fromParameter: false };
  }
  const basic = BASIC_HEADER.exec(value);
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { kind: 'malformed' };
    return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'malformed' };
}
