import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: './data/tokenward.sqlite' },
      adminPassword: undefined,
      logRequests: true,
      sessions: { webSeconds: 1800, renewWindowSeconds: 300, maxWebSeconds: 43200, apidocSeconds: 3600 },
      cleanup: { intervalMs: 3_600_000, afterSeconds: 604_800 },
      itemMaxBytes: 10_485_760,
      maxTokensPerUser: 1000,
      maxSessionsPerUser: 100,
      trustedProxies: [],
      corsOrigins: [],
      buildNumber: 21807,
      socket: { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, maxConnections: 1000 },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:/var/lib/tokenward/db.sqlite',
      ADMIN_PASSWORD: 'a long password',
      LOG_REQUESTS: 'false',
      SESSION_MINUTES: '15',
      SESSION_RENEW_MINUTES: '2.5',
      SESSION_MAX_HOURS: '8',
      APIDOC_TOKEN_MINUTES: '10',
      CLEANUP_INTERVAL_MINUTES: '0.5',
      CLEANUP_AFTER_DAYS: '1',
      TRUSTED_PROXIES: 'loopback, 10.0.0.5',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      FME_BUILD_NUMBER: '25300',
      MAX_TOKENS_PER_USER: '50',
      MAX_SESSIONS_PER_USER: '20',
      HEADERS_TIMEOUT_SECONDS: '5',
      REQUEST_TIMEOUT_SECONDS: '120',
      MAX_CONNECTIONS: '200',
    });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: '/var/lib/tokenward/db.sqlite' },
      adminPassword: 'a long password',
      logRequests: false,
      sessions: { webSeconds: 900, renewWindowSeconds: 150, maxWebSeconds: 28800, apidocSeconds: 600 },
      cleanup: { intervalMs: 30_000, afterSeconds: 86_400 },
      itemMaxBytes: 10_485_760,
      maxTokensPerUser: 50,
      maxSessionsPerUser: 20,
      trustedProxies: ['loopback', '10.0.0.5'],
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      buildNumber: 25300,
      socket: { headersTimeoutMs: 5000, requestTimeoutMs: 120_000, maxConnections: 200 },
    });
  });

  it('keeps the headers timeout within the request timeout', () => {
    expect(loadConfig({ REQUEST_TIMEOUT_SECONDS: '4' }).socket).toMatchObject({
      headersTimeoutMs: 4000,
      requestTimeoutMs: 4000,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a port number'],
    [{ PORT: '70000' }, 'PORT: must be at most 65535'],
    [{ HOST: '' }, 'HOST: must not be empty'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: must be sqlite:<path>'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD: must be at least 8 characters'],
    [{ SESSION_MINUTES: 'half an hour' }, 'SESSION_MINUTES: must be a positive number'],
    [{ CLEANUP_AFTER_DAYS: '0' }, 'CLEANUP_AFTER_DAYS: must be more than 0'],
    [{ CORS_ORIGINS: 'https://ok.example, *' }, 'CORS_ORIGINS: must be a comma-separated list of origins'],
    [{ FME_BUILD_NUMBER: '2023.1' }, 'FME_BUILD_NUMBER: must be a whole number'],
    [{ FME_BUILD_NUMBER: '0' }, 'FME_BUILD_NUMBER: must be at least 1'],
    [{ MAX_TOKENS_PER_USER: '0' }, 'MAX_TOKENS_PER_USER: must be at least 1'],
    [{ MAX_TOKENS_PER_USER: 'many' }, 'MAX_TOKENS_PER_USER: must be a whole number'],
    [{ MAX_SESSIONS_PER_USER: '0' }, 'MAX_SESSIONS_PER_USER: must be at least 1'],
    [{ MAX_SESSIONS_PER_USER: '1e3' }, 'MAX_SESSIONS_PER_USER: must be a whole number'],
    [{ DATABASE_STATEMENT_TIMEOUT_SECONDS: '0' }, 'DATABASE_STATEMENT_TIMEOUT_SECONDS: must be more than 0'],
    [
      { DATABASE_CONNECT_TIMEOUT_SECONDS: 'soon' },
      'DATABASE_CONNECT_TIMEOUT_SECONDS: must be a positive number',
    ],
    [{ MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS: must be a whole number from 1'],
    [{ REQUEST_TIMEOUT_SECONDS: 'forever' }, 'REQUEST_TIMEOUT_SECONDS: must be a positive number'],
  ])('names the variable in the error for %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes a PostgreSQL URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://tw@db:5432/tokenward' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://tw@db:5432/tokenward',
      timeouts: { statementMs: 5000, connectMs: 5000 },
      cacheLease: { heartbeatMs: 250, leaseMs: 1000 },
    });
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db/tw',
        DATABASE_STATEMENT_TIMEOUT_SECONDS: '2.5',
        DATABASE_CONNECT_TIMEOUT_SECONDS: '0.5',
      }).database,
    ).toMatchObject({ timeouts: { statementMs: 2500, connectMs: 500 } });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/tw' }).database.kind).toBe('postgres');
  });

  it("takes the cache's lease and heartbeat, the heartbeat at most half the lease", () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db/tw',
        CACHE_LEASE_SECONDS: '2',
        CACHE_HEARTBEAT_SECONDS: '0.5',
      }).database,
    ).toMatchObject({ cacheLease: { heartbeatMs: 500, leaseMs: 2000 } });
    expect(() => loadConfig({ CACHE_LEASE_SECONDS: '0.4' })).toThrow(
      'CACHE_HEARTBEAT_SECONDS: must be at most half of CACHE_LEASE_SECONDS',
    );
    expect(() => loadConfig({ CACHE_LEASE_SECONDS: 'soon' })).toThrow(
      'CACHE_LEASE_SECONDS: must be a positive number',
    );
  });

  it('lists every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', HOST: '' })).toThrow(/PORT: .*\n.*HOST: /);
  });
});
