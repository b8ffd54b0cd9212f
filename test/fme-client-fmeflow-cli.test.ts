// Safe's fmeflow-cli (Go), replayed call by call as its public source makes them, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateFields, type GoStruct, goUnmarshal, isGoTime } from './fixtures/go-unmarshal';
import { ADMIN_PASSWORD, basic, fmetoken } from './fixtures/test-app';
import { startTestServer, type TestServer } from './fixtures/test-server';

// The structs the CLI decodes into (cmd/*.go).
const FMEFlowVersionInfo: GoStruct = {
  buildNumber: 'int',
  buildString: 'string',
  releaseYear: 'int',
  majorVersion: 'int',
  minorVersion: 'int',
  hotfixVersion: 'int',
};
const TokenResponseV3: GoStruct = {
  lastSaveDate: 'time',
  createdDate: 'time',
  restricted: 'bool',
  name: 'string',
  description: 'string',
  type: 'string',
  user: 'string',
  enabled: 'bool',
  expirationDate: 'time',
  token: 'string',
};
const TokenResponseV4: GoStruct = {
  name: 'string',
  description: 'string',
  owner: 'string',
  type: 'string',
  customPermissions: 'bool',
  enabled: 'bool',
  created: 'time',
  updated: 'time',
  secondsToExpiry: 'int',
  expiration: 'time',
  token: 'string',
};
const FMEServerInfo: GoStruct = {
  currentTime: 'string',
  licenseManagement: 'bool',
  build: 'string',
  timeZone: 'string',
  version: 'string',
};
const HealthcheckV4: GoStruct = { status: 'string', message: 'string' };
const Message: GoStruct = { message: 'string' };
const FMEServerRepositoryV3: GoStruct = {
  owner: 'string',
  name: 'string',
  description: 'string',
  sharable: 'bool',
};
const FMEServerRepositoriesV3: GoStruct = {
  offset: 'int',
  limit: 'int',
  totalCount: 'int',
  items: { slice: FMEServerRepositoryV3 },
};
const FMEServerRepositoryV4: GoStruct = {
  customFormatCount: 'int',
  customTransformerCount: 'int',
  description: 'string',
  fileCount: 'int',
  name: 'string',
  owner: 'string',
  ownerID: 'string',
  sharable: 'bool',
  templateCount: 'int',
  totalFileSize: 'int',
  workspaceCount: 'int',
};
const FMEServerRepositoriesV4: GoStruct = {
  items: { slice: FMEServerRepositoryV4 },
  limit: 'int',
  offset: 'int',
  totalCount: 'int',
};
const FMEServerWorkspaceV3: GoStruct = {
  lastSaveDate: 'time',
  avgCpuPct: 'float',
  avgPeakMemUsage: 'int',
  description: 'string',
  repositoryName: 'string',
  title: 'string',
  type: 'string',
  userName: 'string',
  fileCount: 'int',
  avgCpuTime: 'int',
  lastPublishDate: 'time',
  name: 'string',
  totalFileSize: 'int',
  totalRuns: 'int',
  avgElapsedTime: 'int',
};
const FMEServerWorkspacesV3: GoStruct = {
  offset: 'int',
  limit: 'int',
  totalCount: 'int',
  items: { slice: FMEServerWorkspaceV3 },
};
const FMEServerWorkspaceDetailedV3: GoStruct = {
  legalTermsConditions: 'string',
  avgCpuPct: 'float',
  usage: 'string',
  avgPeakMemUsage: 'int',
  description: 'string',
  datasets: { destination: { slice: 'any' }, source: { slice: 'any' } },
  title: 'string',
  type: 'string',
  buildNumber: 'int',
  enabled: 'bool',
  avgCpuTime: 'int',
  lastPublishDate: 'time',
  lastSaveBuild: 'string',
  avgElapsedTime: 'int',
  lastSaveDate: 'time',
  requirements: 'string',
  resources: { slice: { size: 'int', name: 'string', description: 'string' } },
  history: 'string',
  services: { slice: { displayName: 'string', name: 'string' } },
  userName: 'string',
  requirementsKeyword: 'string',
  fileSize: 'int',
  name: 'string',
  totalRuns: 'int',
  category: 'string',
  parameters: { slice: 'any' },
  properties: { slice: 'any' },
};
const FMEServerWorkspaceV4: GoStruct = {
  averageCpuPercent: 'float',
  averageCpuTime: 'float',
  averageElapsedTime: 'float',
  averagePeakMemoryUsage: 'int',
  description: 'string',
  favorite: 'bool',
  fileCount: 'int',
  lastPublishDate: 'time',
  lastPublishUser: 'string',
  lastPublishUserId: 'string',
  lastSaveDate: 'time',
  name: 'string',
  repositoryName: 'string',
  title: 'string',
  totalFileSize: 'int',
  totalRuns: 'int',
  type: 'string',
};
const FMEServerWorkspacesV4: GoStruct = {
  items: { slice: FMEServerWorkspaceV4 },
  limit: 'int',
  offset: 'int',
  totalCount: 'int',
};
const FMEServerWorkspaceDetailedV4: GoStruct = {
  ...FMEServerWorkspaceV4,
  buildNumber: 'int',
  category: 'string',
  fileSize: 'int',
  history: 'string',
  lastSaveBuild: 'string',
  userName: 'string',
};

// The CLI's thresholds: at or above, a command uses /fmeapiv4 (cmd/healthcheck.go, repositories.go, login.go).
const V4_THRESHOLDS = { healthcheck: 23139, repositories: 22337, workspaces: 22337, login: 25208 } as const;
const apiFor = (build: number, command: keyof typeof V4_THRESHOLDS) =>
  build < V4_THRESHOLDS[command] ? 'v3' : 'v4';

/** Decodes as the CLI does and fails the test where Go would; the dates named must carry real values. */
async function decode(
  res: Response,
  type: GoStruct,
  realDates: string[] = [],
): Promise<Record<string, unknown>> {
  const text = await res.text();
  const json: unknown = JSON.parse(text);
  const zero = goUnmarshal(json, type);
  for (const date of realDates)
    expect(zero, `${date} must not be empty (Go shows 0001-01-01)`).not.toContain(date);
  return Object(json);
}

const ADMIN = basic('admin', ADMIN_PASSWORD);
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('fmeflow-cli against the default build (every command on v3)', () => {
  let server: TestServer;
  let token = '';
  let build = 0;
  const call = (path: string, init: RequestInit = {}) => fetch(`${server.baseUrl}${path}`, init);
  const withToken = (extra: Record<string, string> = {}) => ({ Authorization: fmetoken(token), ...extra });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('healthcheck --url (no config, no credentials; the first release before signing in): GET /fmerest/v3/healthcheck', async () => {
    const res = await call('/fmerest/v3/healthcheck?ready=false');
    expect(res.status).toBe(200);
    expect((await decode(res, { status: 'string' })).status).toBe('ok');
    const ready = await call('/fmerest/v3/healthcheck?ready=true');
    expect((await decode(ready, { status: 'string' })).status).toBe('ok');
  });

  it('login --user --password-file: GET /fmeinfo/version (Basic), then POST /fmerest/v3/tokens (Basic, JSON)', async () => {
    const version = await call('/fmeinfo/version', { headers: { Authorization: ADMIN } });
    expect(version.status).toBe(200);
    const info = await decode(version, FMEFlowVersionInfo);
    build = Number(info.buildNumber);
    expect(apiFor(build, 'login')).toBe('v3');
    const created = await call('/fmerest/v3/tokens', {
      method: 'POST',
      headers: { Authorization: ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        restricted: false,
        name: 'fmeflow-cli-20261122100000',
        description: 'Token generated for use with the fmeflow-cli.',
        expirationTimeout: 2592000,
        user: 'admin',
        enabled: true,
      }),
    });
    expect(created.status).toBe(201);
    const body = await decode(created, TokenResponseV3, [
      '$.createdDate',
      '$.lastSaveDate',
      '$.expirationDate',
    ]);
    token = String(body.token);
    expect(token).toMatch(/^[0-9a-f]{40}$/);
  });

  it('login --token: GET /fmeinfo/version answers 200 with the fmetoken header, valid or not, and with any Basic', async () => {
    for (const authorization of [
      fmetoken(token),
      fmetoken('5ba5e0fd15c2403bc8b2e3aa1dfb975ca2197fbf'),
      basic('admin', 'wrong password'),
    ]) {
      const res = await call('/fmeinfo/version', { headers: { Authorization: authorization } });
      expect(res.status).toBe(200);
      expect((await decode(res, FMEFlowVersionInfo)).buildNumber).toBe(build);
    }
  });

  it('chooses v3 for every command it has: the build is below each v4 threshold', () => {
    for (const command of Object.keys(V4_THRESHOLDS) as (keyof typeof V4_THRESHOLDS)[])
      expect(apiFor(build, command), command).toBe('v3');
  });

  it('info: GET /fmerest/v3/info with the token', async () => {
    const res = await call('/fmerest/v3/info', { headers: withToken() });
    expect(res.status).toBe(200);
    const info = await decode(res, FMEServerInfo);
    expect(info.currentTime).toMatch(
      /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat)-\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} [AP]M$/,
    );
    expect(info.timeZone).toBe('+0000');
    expect(info.licenseManagement).toBe(false);
  });

  it('healthcheck [--ready] after login: the saved token is sent, v3 and (forced) v4 both answer', async () => {
    for (const path of ['/fmerest/v3/healthcheck', '/fmerest/v3/healthcheck?ready=true']) {
      const res = await call(path, { headers: withToken() });
      expect(res.status).toBe(200);
      expect((await decode(res, { status: 'string' })).status).toBe('ok');
    }
    for (const path of ['/fmeapiv4/healthcheck/liveness', '/fmeapiv4/healthcheck/readiness']) {
      const res = await call(path, { headers: withToken() });
      expect(res.status).toBe(200);
      const health = await decode(res, HealthcheckV4);
      expect(health.status).toBe('ok');
      expect(health.message).not.toBe('');
    }
    // A token that no longer works does not turn a health check into a 401.
    const stale = await call('/fmeapiv4/healthcheck/liveness', {
      headers: { Authorization: fmetoken('5ba5e0fd15c2403bc8b2e3aa1dfb975ca2197fbf') },
    });
    expect(stale.status).toBe(200);
  });

  it('repositories [--owner] [--name]: GET /fmerest/v3/repositories, ?owner=, /{name}', async () => {
    const res = await call('/fmerest/v3/repositories', { headers: withToken() });
    expect(res.status).toBe(200);
    const list = await decode(res, FMEServerRepositoriesV3);
    expect(list).toMatchObject({ limit: -1, offset: -1, totalCount: 1 });
    expect(list.items).toEqual([expect.objectContaining({ name: 'Samples', sharable: true })]);
    const owned = await decode(
      await call('/fmerest/v3/repositories?owner=admin', { headers: withToken() }),
      FMEServerRepositoriesV3,
    );
    expect(owned.totalCount).toBe(0);
    const one = await call('/fmerest/v3/repositories/Samples', { headers: withToken() });
    expect(one.status).toBe(200);
    expect(await decode(one, FMEServerRepositoryV3)).toMatchObject({ name: 'Samples', sharable: true });
    const missing = await call('/fmerest/v3/repositories/Nowhere', { headers: withToken() });
    expect(missing.status).toBe(404);
  });

  it('repositories create --name --description: POST /fmerest/v3/repositories as a form; 409 the second time', async () => {
    const form = new URLSearchParams({ name: 'CLI repo', description: 'made by the CLI' }).toString();
    const res = await call('/fmerest/v3/repositories', {
      method: 'POST',
      headers: withToken(FORM),
      body: form,
    });
    expect(res.status).toBe(201);
    const owned = await decode(
      await call('/fmerest/v3/repositories?owner=admin', { headers: withToken() }),
      FMEServerRepositoriesV3,
    );
    expect(owned.items).toEqual([
      {
        name: 'CLI repo',
        description: 'made by the CLI',
        owner: 'admin',
        sharable: true,
        createdDate: expect.any(String),
      },
    ]);
    const again = await call('/fmerest/v3/repositories', {
      method: 'POST',
      headers: withToken(FORM),
      body: form,
    });
    expect(again.status).toBe(409);
  });

  it('workspaces --repository [--name]: GET …/items (the CLI never sets its type) and …/items/{name}', async () => {
    const res = await call('/fmerest/v3/repositories/Samples/items', { headers: withToken() });
    expect(res.status).toBe(200);
    const list = await decode(res, FMEServerWorkspacesV3, [
      '$.items[0].lastSaveDate',
      '$.items[0].lastPublishDate',
    ]);
    expect(list).toMatchObject({ totalCount: 1, limit: -1, offset: -1 });
    expect(list.items).toEqual([
      expect.objectContaining({
        name: 'austinApartments.fmw',
        title: 'austinApartments',
        repositoryName: 'Samples',
        type: 'WORKSPACE',
        lastSaveDate: '2026-11-22T10:00:00Z',
        lastPublishDate: '2026-11-22T10:00:00Z',
        fileCount: 1,
        totalRuns: 0,
      }),
    ]);
    const one = await call('/fmerest/v3/repositories/Samples/items/austinApartments.fmw', {
      headers: withToken(),
    });
    expect(one.status).toBe(200);
    const detail = await decode(one, FMEServerWorkspaceDetailedV3, ['$.lastSaveDate', '$.lastPublishDate']);
    expect(detail).toMatchObject({ name: 'austinApartments.fmw', title: 'austinApartments', totalRuns: 0 });
    expect(Number(detail.fileSize)).toBeGreaterThan(0);
    const missing = await call('/fmerest/v3/repositories/Samples/items/gone.fmw', { headers: withToken() });
    expect(missing.status).toBe(404);
    expect((await decode(missing, Message)).message).toBe(
      'Unauthorized request by user admin due to lack of proper permissions or the object does not exist.',
    );
  });

  it('repositories delete --name -y: DELETE /fmerest/v3/repositories/{name}; 404 once gone', async () => {
    const res = await call('/fmerest/v3/repositories/CLI%20repo', { method: 'DELETE', headers: withToken() });
    expect(res.status).toBe(204);
    const again = await call('/fmerest/v3/repositories/CLI%20repo', {
      method: 'DELETE',
      headers: withToken(),
    });
    expect(again.status).toBe(404);
    expect((await decode(again, Message)).message).toMatch(/or the object does not exist\.$/);
  });
});

describe('fmeflow-cli told to use v4 (FME_BUILD_NUMBER=25300, or --api-version v4)', () => {
  let server: TestServer;
  let token = '';
  const call = (path: string, init: RequestInit = {}) => fetch(`${server.baseUrl}${path}`, init);
  const withToken = (extra: Record<string, string> = {}) => ({ Authorization: fmetoken(token), ...extra });
  const tokenRequest = (name: string, extra: Record<string, unknown> = {}) => ({
    method: 'POST',
    headers: { Authorization: ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name,
      description: 'Token generated for use with the fmeflow-cli.',
      enabled: true,
      secondsToExpiry: 2592000,
      customPermissions: false,
      ...extra,
    }),
  });

  beforeAll(async () => {
    server = await startTestServer({ app: { buildNumber: 25300 } });
  });
  afterAll(() => server.stop());

  it('login: GET /fmeinfo/version → 25300, so POST /fmeapiv4/tokens (Basic, JSON) → 201 with ms dates', async () => {
    const version = await decode(
      await call('/fmeinfo/version', { headers: { Authorization: ADMIN } }),
      FMEFlowVersionInfo,
    );
    expect(version).toMatchObject({ buildNumber: 25300, releaseYear: 2025 });
    for (const command of Object.keys(V4_THRESHOLDS) as (keyof typeof V4_THRESHOLDS)[])
      expect(apiFor(25300, command), command).toBe('v4');
    const res = await call('/fmeapiv4/tokens', tokenRequest('fmeflow-cli-20261122100000'));
    expect(res.status).toBe(201);
    const created = await decode(res, TokenResponseV4, ['$.created', '$.updated', '$.expiration']);
    expect(created).toEqual({
      name: 'fmeflow-cli-20261122100000',
      description: 'Token generated for use with the fmeflow-cli.',
      owner: 'admin',
      type: 'USER',
      customPermissions: false,
      enabled: true,
      created: '2026-11-22T10:00:00.000Z',
      updated: '2026-11-22T10:00:00.000Z',
      secondsToExpiry: 2592000,
      expiration: '2026-12-22T10:00:00.000Z',
      token: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    token = String(created.token);
    // The v4 token works on v3 too: it is the same token service.
    expect(
      (await call('/fmerest/v3/tokens/admin/fmeflow-cli-20261122100000', { headers: withToken() })).status,
    ).toBe(200);
  });

  it('login errors as in FME v4: 409 for a taken name, 400 Parameter Validation Failed, 401 for a bad password', async () => {
    const taken = await call('/fmeapiv4/tokens', tokenRequest('fmeflow-cli-20261122100000'));
    expect(taken.status).toBe(409);
    expect((await decode(taken, Message)).message).not.toBe('');
    const invalid = await call('/fmeapiv4/tokens', tokenRequest('', { secondsToExpiry: 0 }));
    expect(invalid.status).toBe(400);
    const body = await invalid.json();
    expect(body).toMatchObject({
      message: 'Parameter Validation Failed',
      details: { fields: expect.any(Object) },
    });
    expect(Object.keys(body.details.fields).sort()).toEqual(['name', 'secondsToExpiry']);
    const unknown = await call('/fmeapiv4/tokens', tokenRequest('x', { expirationTimeout: 60 }));
    expect(unknown.status).toBe(400);
    const wrong = await call('/fmeapiv4/tokens', {
      ...tokenRequest('y'),
      headers: { Authorization: basic('admin', 'nope'), 'Content-Type': 'application/json' },
    });
    expect(wrong.status).toBe(401);
  });

  it('healthcheck [--ready]: GET /fmeapiv4/healthcheck/liveness|readiness with the saved token', async () => {
    for (const path of ['/fmeapiv4/healthcheck/liveness', '/fmeapiv4/healthcheck/readiness']) {
      const res = await call(path, { headers: withToken() });
      expect(res.status).toBe(200);
      expect(await decode(res, HealthcheckV4)).toMatchObject({ status: 'ok' });
    }
  });

  it('repositories [--name] [--filter-string]: GET /fmeapiv4/repositories, /{name}', async () => {
    const res = await call('/fmeapiv4/repositories', { headers: withToken() });
    expect(res.status).toBe(200);
    const list = await decode(res, FMEServerRepositoriesV4);
    expect(list).toMatchObject({ totalCount: 1, limit: -1, offset: -1 });
    expect(list.items).toEqual([
      expect.objectContaining({ name: 'Samples', sharable: true, workspaceCount: 1, fileCount: 1 }),
    ]);
    const filtered = await decode(
      await call('/fmeapiv4/repositories?filterString=nothing-like-it', { headers: withToken() }),
      FMEServerRepositoriesV4,
    );
    expect(filtered.totalCount).toBe(0);
    const one = await call('/fmeapiv4/repositories/Samples', { headers: withToken() });
    expect(await decode(one, FMEServerRepositoryV4)).toMatchObject({ name: 'Samples', workspaceCount: 1 });
  });

  it('repositories create / delete: POST /fmeapiv4/repositories (JSON) → 201, DELETE /{name} → 204, then 403', async () => {
    const create = () =>
      call('/fmeapiv4/repositories', {
        method: 'POST',
        headers: withToken({ 'Content-Type': 'application/json' }),
        body: JSON.stringify({ description: 'v4 repo', name: 'V4 repo' }),
      });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(409);
    const owned = await decode(
      await call('/fmeapiv4/repositories/V4%20repo', { headers: withToken() }),
      FMEServerRepositoryV4,
    );
    expect(owned).toMatchObject({ owner: 'admin', ownerID: expect.stringMatching(/^\d+$/) });
    expect(
      (await call('/fmeapiv4/repositories/V4%20repo', { method: 'DELETE', headers: withToken() })).status,
    ).toBe(204);
    const gone = await call('/fmeapiv4/repositories/V4%20repo', { method: 'DELETE', headers: withToken() });
    // v4 answers a missing object 403, with v3's words (its fixtures); the CLI prints the message either way.
    expect(gone.status).toBe(403);
    expect((await decode(gone, Message)).message).toMatch(/^Unauthorized request by user admin/);
  });

  it('workspaces [--repository] [--name]: GET /fmeapiv4/workspaces?repository=, /{repo}/{name}', async () => {
    const res = await call('/fmeapiv4/workspaces?repository=Samples', { headers: withToken() });
    expect(res.status).toBe(200);
    const list = await decode(res, FMEServerWorkspacesV4, [
      '$.items[0].lastSaveDate',
      '$.items[0].lastPublishDate',
    ]);
    expect(list).toMatchObject({ totalCount: 1, limit: -1, offset: -1 });
    expect(list.items).toEqual([
      expect.objectContaining({ name: 'austinApartments.fmw', repositoryName: 'Samples', type: 'WORKSPACE' }),
    ]);
    const everywhere = await decode(
      await call('/fmeapiv4/workspaces', { headers: withToken() }),
      FMEServerWorkspacesV4,
    );
    expect(everywhere.totalCount).toBe(1);
    const one = await call('/fmeapiv4/workspaces/Samples/austinApartments.fmw?repository=Samples', {
      headers: withToken(),
    });
    expect(one.status).toBe(200);
    expect(
      await decode(one, FMEServerWorkspaceDetailedV4, ['$.lastSaveDate', '$.lastPublishDate']),
    ).toMatchObject({
      name: 'austinApartments.fmw',
      title: 'austinApartments',
    });
    const missing = await call('/fmeapiv4/workspaces?repository=Nowhere', { headers: withToken() });
    expect(missing.status).toBe(403);
  });
});

describe('every date a Go client decodes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('is RFC 3339 (what time.Time accepts) or null, in every answer that carries dates', async () => {
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.baseUrl}${path}`, init);
      expect(res.status, path).toBeLessThan(300);
      return res.json();
    };
    const json = (method: string, body: unknown) => ({
      method,
      headers: { Authorization: ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = await call('/fmerest/v3/tokens', json('POST', { name: 'dated' }));
    const auth = { headers: { Authorization: fmetoken(created.token) } };
    const answers = [
      created,
      await call('/fmerest/v3/login', { method: 'POST', headers: { Authorization: ADMIN } }),
      await call('/fmerest/v3/tokens?limit=-1&offset=-1', auth),
      await call('/fmerest/v3/tokens/admin/dated', auth),
      await call('/fmerest/v3/tokens/admin/dated/duplicate', json('POST', { name: 'dated copy' })),
      await call('/fmerest/v3/security/me', auth),
      await call('/fmerest/v3/security/accounts', auth),
      await call('/fmerest/v3/security/audit', auth),
      await call(`/fmetoken/generate.json?user=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}`),
      await call('/fmerest/v3/repositories', auth),
      await call('/fmerest/v3/repositories/Samples/items', auth),
      await call('/fmerest/v3/repositories/Samples/items/austinApartments.fmw', auth),
      await call('/fmeapiv4/tokens', json('POST', { name: 'dated v4', customPermissions: false })),
      await call('/fmeapiv4/repositories', auth),
      await call('/fmeapiv4/workspaces', auth),
      await call('/fmeapiv4/workspaces/Samples/austinApartments.fmw', auth),
    ];
    const dates = answers.flatMap((answer) => dateFields(answer));
    expect(dates.length).toBeGreaterThan(30);
    for (const [path, value] of dates)
      expect(value === null || (typeof value === 'string' && isGoTime(value)), `${path}: ${value}`).toBe(
        true,
      );
  });
});
