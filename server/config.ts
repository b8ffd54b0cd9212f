// Configuration from environment variables, validated once at start-up with a clear error.
import * as v from 'valibot';

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, 'must be a port number'),
  v.transform(Number),
  v.maxValue(65535, 'must be at most 65535'),
);

const DatabaseUrlSchema = v.pipe(
  v.string(),
  v.check(
    (url) => url.startsWith('sqlite:') && url.length > 'sqlite:'.length,
    'must be sqlite:<path> (for example sqlite:./data/tokenward.sqlite); PostgreSQL is not supported yet',
  ),
);

const EnvSchema = v.object({
  PORT: v.optional(PortSchema, '8787'),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')), '127.0.0.1'),
  DATABASE_URL: v.optional(DatabaseUrlSchema, 'sqlite:./data/tokenward.sqlite'),
  ADMIN_PASSWORD: v.optional(
    v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'), v.maxLength(1024, 'is too long')),
  ),
  LOG_REQUESTS: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'true'),
});

export interface Config {
  port: number;
  host: string;
  /** Path of the SQLite file, or ':memory:'. */
  sqlitePath: string;
  adminPassword: string | undefined;
  logRequests: boolean;
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
  const { PORT, HOST, DATABASE_URL, ADMIN_PASSWORD, LOG_REQUESTS } = result.output;
  return {
    port: PORT,
    host: HOST,
    sqlitePath: DATABASE_URL.slice('sqlite:'.length),
    adminPassword: ADMIN_PASSWORD,
    logRequests: LOG_REQUESTS === 'true',
  };
}
