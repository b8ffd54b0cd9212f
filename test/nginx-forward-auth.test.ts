// Debian's nginx with docs/nginx/forward-auth.conf in front of a small API, tokenward deciding: what a client of nginx sees.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { type RunningNginx, startNginx } from './fixtures/nginx';
import { adminBasic, basic, fmetoken } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

/** What the protected API saw of a request, as it echoes it back. */
const EchoSchema = v.object({
  method: v.string(),
  path: v.string(),
  body: v.string(),
  user: v.nullable(v.string()),
  tokenName: v.nullable(v.string()),
  tokenType: v.nullable(v.string()),
  authorization: v.nullable(v.string()),
});
type Echo = v.InferOutput<typeof EchoSchema>;

interface Upstream {
  address: string;
  /** Requests that reached the API so far. */
  seen: Echo[];
  server: Server;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

function startUpstream(): Promise<Upstream> {
  const seen: Echo[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const echo: Echo = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        user: header(req, 'x-auth-user'),
        tokenName: header(req, 'x-auth-token-name'),
        tokenType: header(req, 'x-auth-token-type'),
        authorization: header(req, 'authorization'),
      };
      seen.push(echo);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(echo));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ address: `127.0.0.1:${port}`, seen, server });
    });
  });
}

let tokenward: TestServer | undefined;
let upstream: Upstream | undefined;
let nginx: RunningNginx | undefined;
const tokens = { admin: '', guest: '', restricted: '' };

/** A request to nginx, as any HTTP client would send it. */
function viaNginx(path: string, init: RequestInit = {}): Promise<Response> {
  if (!nginx) throw new Error('nginx is not running');
  return fetch(`${nginx.baseUrl}${path}`, init);
}

async function passedThrough(res: Response): Promise<Echo> {
  expect(res.status, `${await res.clone().text()}\n${nginx?.errorLog() ?? ''}`).toBe(200);
  return v.parse(EchoSchema, await res.json());
}

async function denied(res: Response, status: 401 | 403) {
  expect(res.status, nginx?.errorLog()).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  return v.parse(ErrorBodySchema, await res.json());
}

beforeAll(async () => {
  tokenward = await startTestServer();
  upstream = await startUpstream();
  nginx = await startNginx({
    tokenward: tokenward.baseUrl.replace('http://', ''),
    upstream: upstream.address,
  });
  await tokenward.app.addUser('guest', 'guest password', ['fmeguest']);
  tokens.admin = await createTokenOverHttp(tokenward.baseUrl, adminBasic, { name: 'gateway' });
  tokens.guest = await createTokenOverHttp(tokenward.baseUrl, basic('guest', 'guest password'), {
    name: 'guest gateway',
  });
  tokens.restricted = await createTokenOverHttp(tokenward.baseUrl, adminBasic, {
    name: 'samples reader',
    restricted: true,
    permissions: ['repositories:access', 'repository/Samples:read'],
  });
}, 30_000);

afterAll(async () => {
  await nginx?.stop();
  if (upstream) {
    upstream.server.closeAllConnections();
    await new Promise((done) => upstream?.server.close(done));
  }
  await tokenward?.stop();
});

describe('nginx auth_request with tokenward (docs/nginx/forward-auth.conf)', () => {
  it('answers 401 without credentials, with the WWW-Authenticate challenge, and the API never sees it', async () => {
    const before = upstream?.seen.length;
    const error = await denied(await viaNginx('/api/things'), 401);
    expect(error.code).toBe('UNAUTHORIZED');
    const res = await viaNginx('/api/things', { headers: { Authorization: fmetoken('0'.repeat(40)) } });
    expect(res.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    await denied(res, 401);
    expect(upstream?.seen.length).toBe(before);
  });

  it('passes a valid header token through (204 from tokenward, 200 from the API) and names the caller', async () => {
    const echo = await passedThrough(
      await viaNginx('/api/things?x=1', { headers: { Authorization: fmetoken(tokens.admin) } }),
    );
    expect(echo).toMatchObject({
      method: 'GET',
      path: '/api/things?x=1',
      user: 'admin',
      tokenName: 'gateway',
      tokenType: 'USER',
      // The example keeps the tokenward credential away from the API.
      authorization: null,
    });
  });

  it('accepts ?fmetoken= in the URL, as tokenward sees it through X-Original-URI', async () => {
    const echo = await passedThrough(await viaNginx(`/api/other/report?fmetoken=${tokens.admin}`));
    expect(echo).toMatchObject({ path: `/api/other/report?fmetoken=${tokens.admin}`, user: 'admin' });
  });

  it('passes a request body to the API but checks only the credentials', async () => {
    const echo = await passedThrough(
      await viaNginx('/api/things', {
        method: 'POST',
        headers: { Authorization: fmetoken(tokens.guest), 'Content-Type': 'text/plain' },
        body: 'a body for the API',
      }),
    );
    expect(echo).toMatchObject({ method: 'POST', body: 'a body for the API', user: 'guest' });
  });

  it('answers 403 naming the permission when the role or a restricted token lacks it', async () => {
    // fmeguest reads Samples, so /api/ is fine, but not Other, which /api/other/ needs.
    expect((await passedThrough(await viaNginx(`/api/x?fmetoken=${tokens.guest}`))).user).toBe('guest');
    for (const value of [tokens.guest, tokens.restricted]) {
      const error = await denied(
        await viaNginx('/api/other/report', { headers: { Authorization: fmetoken(value) } }),
        403,
      );
      expect(error).toMatchObject({ code: 'FORBIDDEN', details: { required: ['repository/Other:read'] } });
    }
  });

  it('tells the API who called, not what the client claims', async () => {
    const echo = await passedThrough(
      await viaNginx('/api/things', {
        headers: {
          Authorization: basic('guest', 'guest password'),
          'X-Auth-User': 'admin',
          'X-Auth-Token-Name': 'gateway',
        },
      }),
    );
    // Basic auth has no token, so no token headers reach the API, not even the client's.
    expect(echo).toMatchObject({ user: 'guest', tokenName: null, tokenType: null });
  });

  it('turns a token away at once after it is disabled through the REST API', async () => {
    const ask = () => viaNginx('/api/things', { headers: { Authorization: fmetoken(tokens.admin) } });
    await passedThrough(await ask());
    const res = await fetch(`${tokenward?.baseUrl}/fmerest/v3/tokens/admin/gateway`, {
      method: 'PUT',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status).toBe(204);
    expect((await denied(await ask(), 401)).code).toBe('UNAUTHORIZED');
  });
});
