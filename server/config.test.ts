import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      sqlitePath: './data/tokenward.sqlite',
      adminPassword: undefined,
      logRequests: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:/var/lib/tokenward/db.sqlite',
      ADMIN_PASSWORD: 'a long password',
      LOG_REQUESTS: 'false',
    });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      sqlitePath: '/var/lib/tokenward/db.sqlite',
      adminPassword: 'a long password',
      logRequests: false,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a port number'],
    [{ PORT: '70000' }, 'PORT: must be at most 65535'],
    [{ HOST: '' }, 'HOST: must not be empty'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: must be sqlite:<path>'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD: must be at least 8 characters'],
  ])('names the variable in the error for %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', HOST: '' })).toThrow(/PORT: .*\n.*HOST: /);
  });
});
