// Configuration from environment variables, validated once at start-up with a clear error.
import * as v from 'valibot';
import type { CacheLease } from './store/notify-channel';
import { DEFAULT_BUILD_NUMBER } from './version';

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, 'must be a port number'),
  v.transform(Number),
  v.maxValue(65535, 'must be at most 65535'),
);

const DatabaseUrlSchema = v.pipe(
  v.string(),
  v.check(
    (url) =>
      (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) || /^postgres(ql)?:\/\/.+/.test(url),
    'must be sqlite:<path> (for example sqlite:./data/tokenward.sqlite) or postgres://user@host:port/database',
  ),
);

function positiveNumber(fallback: string) {
  return v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+(\.\d+)?$/, 'must be a positive number'),
      v.transform(Number),
      v.minValue(0.001, 'must be more than 0'),
    ),
    fallback,
  );
}

function wholeNumber(fallback: string) {
  return v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,9}$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
    ),
    fallback,
  );
}

const EnvSchema = v.object({
  PORT: v.optional(PortSchema, '8787'),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')), '127.0.0.1'),
  DATABASE_URL: v.optional(DatabaseUrlSchema, 'sqlite:./data/tokenward.sqlite'),
  ADMIN_PASSWORD: v.optional(
    v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'), v.maxLength(1024, 'is too long')),
  ),
  LOG_REQUESTS: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'true'),
  SESSION_MINUTES: positiveNumber('30'),
  SESSION_RENEW_MINUTES: positiveNumber('5'),
  SESSION_MAX_HOURS: positiveNumber('12'),
  APIDOC_TOKEN_MINUTES: positiveNumber('60'),
  CLEANUP_INTERVAL_MINUTES: positiveNumber('60'),
  CLEANUP_AFTER_DAYS: positiveNumber('7'),
  ITEM_MAX_MB: positiveNumber('10'),
  MAX_TOKENS_PER_USER: wholeNumber('1000'),
  MAX_SESSIONS_PER_USER: wholeNumber('100'),
  DATABASE_STATEMENT_TIMEOUT_SECONDS: positiveNumber('5'),
  DATABASE_CONNECT_TIMEOUT_SECONDS: positiveNumber('5'),
  CORS_ORIGINS: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (list) =>
          list
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean)
            .every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)),
        'must be a comma-separated list of origins such as https://app.example.com or http://localhost:3000',
      ),
    ),
    '',
  ),
  FME_BUILD_NUMBER: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}$/, 'must be a whole number, such as 21807 (FME 2021) or 25300 (FME 2025)'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
    ),
  ),
  TRUSTED_PROXIES: v.optional(
    v.pipe(v.string(), v.regex(/^[\w.:,\s]*$/, 'must be a comma-separated list of addresses, or loopback')),
    '',
  ),
  HEADERS_TIMEOUT_SECONDS: positiveNumber('10'),
  REQUEST_TIMEOUT_SECONDS: positiveNumber('60'),
  CACHE_LEASE_SECONDS: positiveNumber('1'),
  CACHE_HEARTBEAT_SECONDS: positiveNumber('0.25'),
  MAX_CONNECTIONS: v.optional(
    v.pipe(v.string(), v.regex(/^[1-9]\d{0,6}$/, 'must be a whole number from 1'), v.transform(Number)),
    '1000',
  ),
});

/** Lifetimes of session tokens, in seconds. */
export interface SessionPolicy {
  /** A web session lasts this long from sign-in, and from each renewal. */
  webSeconds: number;
  /** A request made when less than this remains renews a web session. */
  renewWindowSeconds: number;
  /** No renewal reaches past this long after sign-in. */
  maxWebSeconds: number;
  apidocSeconds: number;
}

export interface CleanupPolicy {
  intervalMs: number;
  /** Session tokens are deleted this long after they expired. */
  afterSeconds: number;
}

/** Limits of the listening socket, so slow or idle clients cannot hold the server's connections. */
export interface SocketLimits {
  /** Time for a client to send the request's headers. */
  headersTimeoutMs: number;
  /** Time for a client to send the whole request, body included (Node's own default is 300 s). */
  requestTimeoutMs: number;
  /** Open connections at most; further ones are closed at once. */
  maxConnections: number;
}

/** Longest waits on PostgreSQL, in milliseconds: past them a request is answered 503 with Retry-After. */
export interface DatabaseTimeouts {
  statementMs: number;
  connectMs: number;
}

export interface Config {
  port: number;
  host: string;
  database:
    | { kind: 'sqlite'; path: string }
    | { kind: 'postgres'; url: string; timeouts: DatabaseTimeouts; cacheLease: CacheLease };
  adminPassword: string | undefined;
  logRequests: boolean;
  sessions: SessionPolicy;
  cleanup: CleanupPolicy;
  /** Largest item upload of the sample API. */
  itemMaxBytes: number;
  /** API tokens one user may hold. */
  maxTokensPerUser: number;
  /** Active sessions one user may hold; past it, a sign-in ends the oldest. */
  maxSessionsPerUser: number;
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; none by default. */
  trustedProxies: string[];
  /** Origins whose pages may call the API from a browser (CORS); none by default. */
  corsOrigins: string[];
  /** The build reported by /fmeinfo/version; FME clients choose REST v3 or v4 by it. */
  buildNumber: number;
  socket: SocketLimits;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const lines = result.issues.map((issue) => `  ${v.getDotPath(issue) ?? 'environment'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env_ = result.output;
  const { PORT, HOST, DATABASE_URL, ADMIN_PASSWORD, LOG_REQUESTS } = env_;
  // A lease shorter than two heartbeats would lapse between them while nothing is wrong.
  if (env_.CACHE_HEARTBEAT_SECONDS * 2 > env_.CACHE_LEASE_SECONDS) {
    throw new ConfigError(
      'Invalid configuration:\n  CACHE_HEARTBEAT_SECONDS: must be at most half of CACHE_LEASE_SECONDS',
    );
  }
  return {
    port: PORT,
    host: HOST,
    database: DATABASE_URL.startsWith('sqlite:')
      ? { kind: 'sqlite', path: DATABASE_URL.slice('sqlite:'.length) }
      : {
          kind: 'postgres',
          url: DATABASE_URL,
          timeouts: {
            statementMs: Math.round(env_.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000),
            connectMs: Math.round(env_.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000),
          },
          cacheLease: {
            heartbeatMs: Math.round(env_.CACHE_HEARTBEAT_SECONDS * 1000),
            leaseMs: Math.round(env_.CACHE_LEASE_SECONDS * 1000),
          },
        },
    adminPassword: ADMIN_PASSWORD,
    logRequests: LOG_REQUESTS === 'true',
    sessions: {
      webSeconds: Math.round(env_.SESSION_MINUTES * 60),
      renewWindowSeconds: Math.round(env_.SESSION_RENEW_MINUTES * 60),
      maxWebSeconds: Math.round(env_.SESSION_MAX_HOURS * 3600),
      apidocSeconds: Math.round(env_.APIDOC_TOKEN_MINUTES * 60),
    },
    cleanup: {
      intervalMs: Math.round(env_.CLEANUP_INTERVAL_MINUTES * 60_000),
      afterSeconds: Math.round(env_.CLEANUP_AFTER_DAYS * 86400),
    },
    itemMaxBytes: Math.round(env_.ITEM_MAX_MB * 1024 * 1024),
    maxTokensPerUser: env_.MAX_TOKENS_PER_USER,
    maxSessionsPerUser: env_.MAX_SESSIONS_PER_USER,
    corsOrigins: env_.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    buildNumber: env_.FME_BUILD_NUMBER ?? DEFAULT_BUILD_NUMBER,
    trustedProxies: env_.TRUSTED_PROXIES.split(',')
      .map((proxy) => proxy.trim())
      .filter(Boolean),
    socket: {
      // The headers are part of the request: their limit never exceeds the whole request's (Node requires it).
      headersTimeoutMs: Math.round(
        Math.min(env_.HEADERS_TIMEOUT_SECONDS, env_.REQUEST_TIMEOUT_SECONDS) * 1000,
      ),
      requestTimeoutMs: Math.round(env_.REQUEST_TIMEOUT_SECONDS * 1000),
      maxConnections: env_.MAX_CONNECTIONS,
    },
  };
}
