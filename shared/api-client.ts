// Typed client for the tokenward REST API: every call resolves to a Result, never throws.
import * as v from 'valibot';
import type { ErrorCode } from './errors';
import { type Account, AccountSchema } from './schemas/account';
import { ErrorBodySchema } from './schemas/error';
import {
  type Health,
  HealthSchema,
  type Info,
  InfoSchema,
  type Version,
  VersionSchema,
} from './schemas/info';
import {
  type CreateLeaseBody,
  type Lease,
  LeaseSchema,
  type LeaseSummary,
  LeaseSummarySchema,
} from './schemas/lease';
import { type PermissionCatalogue, PermissionCatalogueSchema } from './schemas/permissions';
import { type RepositoryList, RepositoryListSchema } from './schemas/repository';
import { type LoginBody, type Me, MeSchema, type SessionToken, SessionTokenSchema } from './schemas/session';
import {
  type CreatedToken,
  CreatedTokenSchema,
  type CreateTokenBody,
  type DuplicateTokenBody,
  type Token,
  type TokenList,
  TokenListSchema,
  TokenSchema,
  type TokenType,
  type UpdateTokenBody,
} from './schemas/token';

export type Credential =
  | { kind: 'token'; value: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'none' };

/** Thrown by a `fetch` that knows its caller may not reach the origin (a browser extension whose host access the
 * user removed): the failure is then not the server's. */
export class HostAccessRemovedError extends Error {
  constructor(readonly origin: string) {
    super(`Access to ${origin} was removed in the browser.`);
    this.name = 'HostAccessRemovedError';
  }
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** HTTP status, or 0 when no answer arrived. */
  status: number;
  details?: Record<string, unknown> | undefined;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Filters and page of GET /tokens, as the caller thinks of them (the server reads them from the query). */
export interface TokenListFilter {
  limit?: number;
  offset?: number;
  type?: TokenType;
  status?: 'active' | 'expired';
  user?: string;
  /** The `next` cursor of the previous page: the page after it. */
  after?: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  credential?: Credential;
  fetch?: typeof fetch;
}

const NoContentSchema = v.undefined();

/** Authorization header value for a credential; never put a token into a URL. */
export function authorizationHeader(credential: Credential): string | undefined {
  switch (credential.kind) {
    case 'token':
      return `fmetoken token=${credential.value}`;
    case 'basic': {
      const bytes = new TextEncoder().encode(`${credential.user}:${credential.password}`);
      return `Basic ${btoa(String.fromCharCode(...bytes))}`;
    }
    case 'none':
      return undefined;
  }
}

export function createApiClient(options: ApiClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const authorization = authorizationHeader(options.credential ?? { kind: 'none' });

  async function call<T>(
    method: string,
    path: string,
    schema: v.GenericSchema<unknown, T>,
    body?: unknown,
  ): Promise<Result<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authorization) headers.Authorization = authorization;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      if (cause instanceof HostAccessRemovedError) return failure('HOST_ACCESS_REMOVED', cause.message, 0);
      const reason = cause instanceof Error ? cause.message : String(cause);
      return failure('NETWORK', `The server at ${baseUrl} could not be reached (${reason}).`, 0);
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      return failure(
        'BAD_RESPONSE',
        `The server answered ${response.status} with a body that is not JSON.`,
        response.status,
      );
    }
    if (!response.ok) {
      const parsed = v.safeParse(ErrorBodySchema, json);
      if (!parsed.success) {
        return failure(
          'BAD_RESPONSE',
          `The server answered ${response.status} without an error body.`,
          response.status,
        );
      }
      return { ok: false, error: { ...parsed.output, status: response.status } };
    }
    const parsed = v.safeParse(schema, json);
    if (!parsed.success) {
      return failure(
        'BAD_RESPONSE',
        `The server's answer to ${method} ${path} has an unexpected shape.`,
        response.status,
      );
    }
    return { ok: true, value: parsed.output };
  }

  const tokenPath = (user: string, name: string) =>
    `/fmerest/v3/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;

  return {
    baseUrl,
    version: (): Promise<Result<Version>> => call('GET', '/fmeinfo/version', VersionSchema),
    health: (): Promise<Result<Health>> => call('GET', '/healthz', HealthSchema),
    info: (): Promise<Result<Info>> => call('GET', '/fmerest/v3/info', InfoSchema),
    /** Signs in with a JSON body; the answer is the one that carries the session token's value. */
    login: (body: LoginBody): Promise<Result<SessionToken>> =>
      call('POST', '/fmerest/v3/login', SessionTokenSchema, body),
    logout: (): Promise<Result<undefined>> => call('POST', '/fmerest/v3/logout', NoContentSchema),
    me: (): Promise<Result<Me>> => call('GET', '/fmerest/v3/security/me', MeSchema),
    permissionCatalogue: (): Promise<Result<PermissionCatalogue>> =>
      call('GET', '/fmerest/v3/security/permissions', PermissionCatalogueSchema),
    listTokens: (query: TokenListFilter = {}): Promise<Result<TokenList>> => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) params.set(key, String(value));
      const search = params.size > 0 ? `?${params}` : '';
      return call('GET', `/fmerest/v3/tokens${search}`, TokenListSchema);
    },
    createToken: (body: CreateTokenBody): Promise<Result<CreatedToken>> =>
      call('POST', '/fmerest/v3/tokens', CreatedTokenSchema, body),
    getToken: (user: string, name: string): Promise<Result<Token>> =>
      call('GET', tokenPath(user, name), TokenSchema),
    updateToken: (user: string, name: string, patch: UpdateTokenBody): Promise<Result<undefined>> =>
      call('PUT', tokenPath(user, name), NoContentSchema, patch),
    deleteToken: (user: string, name: string): Promise<Result<undefined>> =>
      call('DELETE', tokenPath(user, name), NoContentSchema),
    duplicateToken: (user: string, name: string, body: DuplicateTokenBody): Promise<Result<CreatedToken>> =>
      call('POST', `${tokenPath(user, name)}/duplicate`, CreatedTokenSchema, body),
    /** A short-lived child of the token: the only answer that carries a lease's value. */
    createLease: (user: string, name: string, body: CreateLeaseBody = {}): Promise<Result<Lease>> =>
      call('POST', `${tokenPath(user, name)}/leases`, LeaseSchema, body),
    leaseSummary: (user: string, name: string): Promise<Result<LeaseSummary>> =>
      call('GET', `${tokenPath(user, name)}/leases`, LeaseSummarySchema),
    /** Ends every live lease of the token, in every browser. */
    endLeases: (user: string, name: string): Promise<Result<undefined>> =>
      call('DELETE', `${tokenPath(user, name)}/leases`, NoContentSchema),
    /** A user's account (roles, enabled); your own, or anyone's with `usermanagement:access`. */
    getAccount: (name: string): Promise<Result<Account>> =>
      call('GET', `/fmerest/v3/security/accounts/${encodeURIComponent(name)}`, AccountSchema),
    /** The repositories the caller may read (needs `repositories:access`); `owner`: only those a user created. */
    listRepositories: (query: { owner?: string } = {}): Promise<Result<RepositoryList>> => {
      const search = query.owner === undefined ? '' : `?${new URLSearchParams({ owner: query.owner })}`;
      return call('GET', `/fmerest/v3/repositories${search}`, RepositoryListSchema);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function failure(code: ErrorCode, message: string, status: number): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, status } };
}
