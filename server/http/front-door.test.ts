// The front door over real HTTP: the public route answers at once (@hono/node-server's fast path), and every
// answer, whichever way it went in, carries the security headers (and the CORS ones where configured).
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32Hex } from '../../shared/token-format';
import {
  adminBasic,
  createTestApp,
  createTokenInApp,
  fmetoken,
  type TestAppOptions,
} from '../../test/fixtures/test-app';
import { serverVersion } from '../version';

const PAGE = 'http://127.0.0.1:5173';
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The app on a loopback port, recording for each request whether app.fetch answered without a promise. */
async function served(options: TestAppOptions = {}) {
  const t = await createTestApp(options);
  const immediate: boolean[] = [];
  const baseUrl = await new Promise<string>((resolve) => {
    const server = serve(
      {
        fetch: (request: Request, env: HttpBindings | Http2Bindings) => {
          const res = t.app.fetch(request, env);
          immediate.push(!(res instanceof Promise));
          return res;
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      (address: AddressInfo) => resolve(`http://127.0.0.1:${address.port}`),
    );
    stops.push(() => new Promise((done) => server.close(() => done())));
  });
  return { t, baseUrl, immediate };
}

/** A request exactly as given, headers and all, as a Response. */
function sendRaw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') answer.set(name, value);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: answer }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTML page's policy is `same-origin`, so the forms it posts to its own server carry their Origin. */
function expectSecurityHeaders(res: Response, referrerPolicy = 'no-referrer') {
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(res.headers.get('Referrer-Policy')).toBe(referrerPolicy);
}

describe('front door', () => {
  it('answers GET /fmeinfo/version without a promise or any global middleware, headers and body intact', async () => {
    const { baseUrl, immediate } = await served();
    const res = await fetch(`${baseUrl}/fmeinfo/version`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expectSecurityHeaders(res);
    expect(await res.json()).toEqual(serverVersion());
    expect(immediate).toEqual([true]);
  });

  it('puts the security headers on every kind of answer over HTTP', async () => {
    const { baseUrl } = await served();
    const answers = {
      unauthorized: await fetch(`${baseUrl}/fmerest/v3/info`),
      authorized: await fetch(`${baseUrl}/fmerest/v3/info`, { headers: { Authorization: adminBasic } }),
      notFound: await fetch(`${baseUrl}/fmerest/v3/nothing`),
      notAllowed: await fetch(`${baseUrl}/fmeinfo/version`, { method: 'POST' }),
      tooLarge: await fetch(`${baseUrl}/fmerest/v3/tokens`, {
        method: 'POST',
        headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'x', description: 'd'.repeat(70 * 1024) }),
      }),
      // Node's fetch sets Sec-Fetch-Mode itself: a browser's form submission, sent as a browser sends it.
      crossSite: await sendRaw(
        `${baseUrl}/fmerest/v3/tokens`,
        'POST',
        {
          Authorization: adminBasic,
          'Content-Type': 'application/json',
          'Sec-Fetch-Mode': 'navigate',
          'Sec-Fetch-Site': 'cross-site',
        },
        JSON.stringify({ name: 'forged' }),
      ),
      head: await fetch(`${baseUrl}/fmeinfo/version`, { method: 'HEAD' }),
      page: await fetch(`${baseUrl}/fmetoken/`),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([name, res]) => [name, res.status]))).toEqual({
      unauthorized: 401,
      authorized: 200,
      notFound: 404,
      notAllowed: 405,
      tooLarge: 413,
      crossSite: 403,
      head: 200,
      page: 200,
    });
    for (const [name, res] of Object.entries(answers))
      expectSecurityHeaders(res, name === 'page' ? 'same-origin' : 'no-referrer');
    expect(answers.unauthorized.headers.get('WWW-Authenticate')).toBe('fmetoken realm="tokenward"');
    expect(answers.notAllowed.headers.get('Allow')).toBe('GET, HEAD');
    expect(answers.page.headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    expect(answers.page.headers.get('X-Frame-Options')).toBe('DENY');
    expect(answers.unauthorized.headers.get('Strict-Transport-Security')).toBeNull();
  });

  it('answers every request carrying fmetoken in its query with Cache-Control: no-store, whatever the status', async () => {
    const { t, baseUrl } = await served({ app: { corsOrigins: [PAGE] } });
    const valid = await createTokenInApp(t.app, adminBasic, { name: 'in a URL' });
    const other = await createTokenInApp(t.app, adminBasic, { name: 'another' });
    const narrow = await createTokenInApp(t.app, adminBasic, {
      name: 'narrow',
      restricted: true,
      permissions: ['jobs:access'],
    });
    const wellFormedUnknown = `${'0'.repeat(32)}${crc32Hex('0'.repeat(32))}`;
    const requests: Record<string, [path: string, init?: RequestInit]> = {
      valid: [`/fmerest/v3/info?fmetoken=${valid}`],
      garbage: ['/fmerest/v3/info?fmetoken=not-a-token'],
      unknown: [`/fmerest/v3/info?fmetoken=${wellFormedUnknown}`],
      empty: ['/fmerest/v3/info?fmetoken='],
      conflicting: [`/fmerest/v3/info?fmetoken=${valid}`, { headers: { Authorization: fmetoken(other) } }],
      forbidden: [`/fmerest/v3/repositories?x=1&fmetoken=${narrow}`],
      invalid: [`/fmerest/v3/tokens?limit=x&fmetoken=${valid}`],
      notFound: [`/fmerest/v3/nothing?fmetoken=${valid}`],
      notAllowed: [`/fmeinfo/version?fmetoken=${valid}`, { method: 'DELETE' }],
      public: [`/fmeinfo/version?fmetoken=${valid}`],
      redirect: [`/fmetoken?fmetoken=${valid}`, { redirect: 'manual' }],
      preflight: [
        `/fmerest/v3/tokens?fmetoken=${valid}`,
        { method: 'OPTIONS', headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST' } },
      ],
    };
    const statuses: Record<string, number> = {};
    for (const [name, [path, init]] of Object.entries(requests)) {
      for (const [way, res] of [
        ['over HTTP', await fetch(`${baseUrl}${path}`, init)],
        ['in memory', await t.app.request(path, init)],
      ] as const) {
        expect(res.headers.get('Cache-Control'), `${name} ${way}: ${res.status}`).toBe('no-store');
        expectSecurityHeaders(res);
        statuses[name] = res.status;
      }
    }
    expect(statuses).toEqual({
      valid: 200,
      garbage: 401,
      unknown: 401,
      empty: 401,
      conflicting: 400,
      forbidden: 403,
      invalid: 422,
      notFound: 404,
      notAllowed: 405,
      public: 200,
      redirect: 302,
      preflight: 204,
    });
    // A refused token in a form body is a credential sent outside the header too.
    const byForm = await fetch(`${baseUrl}/fmerest/v3/tokens/admin/another`, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `fmetoken=${wellFormedUnknown}`,
    });
    expect(byForm.status).toBe(401);
    expect(byForm.headers.get('Cache-Control')).toBe('no-store');
    // Without one, answers are left to their routes.
    expect((await fetch(`${baseUrl}/fmerest/v3/info`)).headers.get('Cache-Control')).toBeNull();
  });

  it('sends HSTS over HTTP only when a trusted proxy says the client used HTTPS', async () => {
    const untrusted = await served();
    const spoofed = await fetch(`${untrusted.baseUrl}/fmeinfo/version`, {
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(spoofed.headers.get('Strict-Transport-Security')).toBeNull();
    const proxied = await served({ app: { trustedProxies: ['loopback'] } });
    const viaProxy = await fetch(`${proxied.baseUrl}/fmeinfo/version`, {
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(viaProxy.headers.get('Strict-Transport-Security')).toBe('max-age=31536000');
    expectSecurityHeaders(viaProxy);
  });

  it('with CORS origins configured, answers preflights and pages from them, and still serves others at once', async () => {
    const { baseUrl, immediate } = await served({ app: { corsOrigins: [PAGE] } });
    const preflight = await fetch(`${baseUrl}/fmerest/v3/tokens`, {
      method: 'OPTIONS',
      headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe(PAGE);
    const unauthorized = await fetch(`${baseUrl}/fmerest/v3/info`, { headers: { Origin: PAGE } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('Access-Control-Allow-Origin')).toBe(PAGE);
    expect(unauthorized.headers.get('Access-Control-Expose-Headers')).toContain('WWW-Authenticate');
    expectSecurityHeaders(unauthorized);
    const elsewhere = await fetch(`${baseUrl}/fmeinfo/version`, {
      headers: { Origin: 'https://evil.example' },
    });
    expect(elsewhere.headers.get('Access-Control-Allow-Origin')).toBeNull();
    immediate.length = 0;
    const script = await fetch(`${baseUrl}/fmeinfo/version`);
    expect(script.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(immediate).toEqual([true]);
  });
});
