// Safe's FMEServer.js (v3 library), its XHR calls replayed as its public source makes them: over real HTTP, and
// from a page in Chromium on another origin.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../extension/testing/loopback-server';
import { openSqliteStore } from '../server/store/sqlite-store';
import { launchChromium } from './fixtures/chromium';
import { type WatchedStore, watchOffPathWrites } from './fixtures/off-path-writes';
import { ADMIN_PASSWORD, adminBasic } from './fixtures/test-app';
import { startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
let writes: WatchedStore;
let apiToken = '';

beforeAll(async () => {
  writes = watchOffPathWrites(openSqliteStore(':memory:'));
  server = await startTestServer({ store: writes.store });
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens`, {
    method: 'POST',
    headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'web page' }),
  });
  apiToken = (await res.json()).token;
});
afterAll(() => server.stop());

/**
 * FMEServer.js's ajax(): `detail` appended to every URL; the fmetoken header and `Accept` on every request
 * (the token service's too); a Content-type only when the call has a body. Like the library, the answer is
 * JSON when it parses and the raw text otherwise.
 */
async function ajax(
  path: string,
  options: { token?: string; method?: string; params?: string; contentType?: string } = {},
) {
  const url = `${server.baseUrl}${path}${path.includes('?') ? '&' : '?'}detail=high`;
  const headers: Record<string, string> = {
    Authorization: `fmetoken token=${options.token ?? apiToken}`,
    Accept: 'application/json',
  };
  if (options.contentType) headers['Content-type'] = options.contentType;
  const res = await fetch(url, { method: options.method ?? 'GET', headers, body: options.params ?? null });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the library hands the text to the callback
  }
  return { status: res.status, body, headers: res.headers };
}

const FORM = 'application/x-www-form-urlencoded';

describe('FMEServer.js', () => {
  it('getRepositories: GET /fmerest/v3/repositories?detail=high', async () => {
    const { status, body } = await ajax('/fmerest/v3/repositories');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      items: [{ name: 'Samples', description: 'Sample workspaces', sharable: true }],
      totalCount: 1,
      limit: -1,
      offset: -1,
    });
  });

  it('getRepositoryItems(repo, cb, type): …/items?type=WORKSPACE&detail=high, and ?type= (empty) for every type', async () => {
    const workspaces = await ajax('/fmerest/v3/repositories/Samples/items?type=WORKSPACE');
    expect(workspaces.status).toBe(200);
    expect(workspaces.body).toMatchObject({
      items: [
        {
          name: 'austinApartments.fmw',
          title: 'austinApartments',
          repositoryName: 'Samples',
          type: 'WORKSPACE',
          lastSaveDate: '2026-11-22T10:00:00Z',
        },
      ],
      totalCount: 1,
    });
    const everything = await ajax('/fmerest/v3/repositories/Samples/items?type=');
    expect(everything.status).toBe(200);
    expect(everything.body).toMatchObject({ totalCount: 1, items: [{ name: 'austinApartments.fmw' }] });
    const missing = await ajax('/fmerest/v3/repositories/Nowhere/items?type=');
    expect(missing).toMatchObject({
      status: 404,
      body: {
        message:
          'Unauthorized request by user admin due to lack of proper permissions or the object does not exist.',
      },
    });
  });

  it('generateToken(user, password, count, unit): POST /fmetoken/service/generate as a form, with the header', async () => {
    // Like the library, the user and password go into the form unencoded.
    const { status, body, headers } = await ajax('/fmetoken/service/generate', {
      method: 'POST',
      params: `user=admin&password=${ADMIN_PASSWORD}&expiration=1&timeunit=hour`,
      contentType: FORM,
    });
    expect(status).toBe(200);
    expect(headers.get('Cache-Control')).toBe('no-store');
    expect(body).toMatch(/^[0-9a-f]{40}$/);
    // The page then initialises the library with that token.
    const repositories = await ajax('/fmerest/v3/repositories', { token: String(body) });
    expect(repositories.status).toBe(200);
  });

  it('lookupToken(user, password): POST /fmetoken/service/view.json looks up the token in the header, without using it', async () => {
    const created = await fetch(`${server.baseUrl}/fmerest/v3/tokens`, {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'looked up', expirationTimeout: 3600 }),
    });
    const value: string = (await created.json()).token;
    const lookup = await ajax('/fmetoken/service/view.json', {
      token: value,
      method: 'POST',
      params: `user=admin&password=${ADMIN_PASSWORD}`,
      contentType: FORM,
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({
      serviceResponse: {
        user: 'admin',
        name: 'looked up',
        type: 'USER',
        source: 'api',
        enabled: true,
        expired: false,
        expirationDate: '2026-11-22T11:00:00Z',
      },
    });
    expect(JSON.stringify(lookup.body)).not.toContain(value);
    // A use would be handed to the store after the answer: wait for that, then read what it left.
    await writes.settled();
    const token = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/looked%20up`, {
      headers: { Authorization: adminBasic },
    });
    expect((await token.json()).lastUsedDate).toBeNull();
  });

  it('lookupToken also finds the token in a token= parameter (older pages), and refuses two different ones', async () => {
    const form = `user=admin&password=${ADMIN_PASSWORD}&token=${apiToken}`;
    const res = await fetch(`${server.baseUrl}/fmetoken/service/view.json?detail=high`, {
      method: 'POST',
      headers: { 'Content-type': FORM, Accept: 'application/json' },
      body: form,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ serviceResponse: { user: 'admin', name: 'web page' } });
    const other = '0123456789abcdef0123456789abcdef01234567';
    const two = await ajax(`/fmetoken/service/view.json?token=${other}`, {
      method: 'POST',
      params: `user=admin&password=${ADMIN_PASSWORD}`,
      contentType: FORM,
    });
    expect(two.status).toBe(422);
  });

  it('lookupToken answers 401 for a wrong password and 404 for a token that is not the user’s', async () => {
    const wrong = await ajax('/fmetoken/service/view.json', {
      method: 'POST',
      params: 'user=admin&password=wrong',
      contentType: FORM,
    });
    expect(wrong.status).toBe(401);
    await server.app.addUser('ursula', 'ursula password');
    const other = await ajax('/fmetoken/service/view.json', {
      method: 'POST',
      params: 'user=ursula&password=ursula password',
      contentType: FORM,
    });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(apiToken);
  });
});

describe('FMEServer.js in Chromium, on a page of another origin (CORS_ORIGINS lists it)', () => {
  let page: Page;
  let browser: Browser;
  let pageServer: LoopbackServer;
  let api: TestServer;

  beforeAll(async () => {
    pageServer = await startLoopbackServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>an FME web app</title>');
    });
    api = await startTestServer({ app: { corsOrigins: [pageServer.url] } });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(pageServer.url);
  }, 60_000); // Chromium starts slowly on a loaded machine
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await pageServer?.close();
  });

  /** The library's XHR, as its ajax() sends it: detail appended, fmetoken header, Accept, optional Content-type. */
  function xhr(
    path: string,
    token: string,
    method = 'GET',
    params: string | null = null,
    contentType?: string,
  ) {
    return page.evaluate(
      ({ url, token, method, params, contentType }) =>
        new Promise<{ status: number; text: string }>((resolve) => {
          const req = new XMLHttpRequest();
          req.open(method, `${url}${url.includes('?') ? '&' : '?'}detail=high`, true);
          req.setRequestHeader('Authorization', `fmetoken token=${token}`);
          req.setRequestHeader('Accept', 'application/json');
          if (contentType) req.setRequestHeader('Content-type', contentType);
          req.onreadystatechange = () => {
            if (req.readyState === 4) resolve({ status: req.status, text: req.responseText });
          };
          req.send(params);
        }),
      { url: `${api.baseUrl}${path}`, token, method, params, contentType },
    );
  }

  it('lists repositories and workspaces, generates a token and looks it up, all readable across origins', {
    timeout: 60_000,
  }, async () => {
    const created = await fetch(`${api.baseUrl}/fmerest/v3/tokens`, {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'browser page' }),
    });
    const token: string = (await created.json()).token;

    const repositories = await xhr('/fmerest/v3/repositories', token);
    expect(repositories.status).toBe(200);
    expect(JSON.parse(repositories.text)).toMatchObject({ items: [{ name: 'Samples' }] });

    const items = await xhr('/fmerest/v3/repositories/Samples/items?type=WORKSPACE', token);
    expect(JSON.parse(items.text)).toMatchObject({
      items: [{ name: 'austinApartments.fmw', type: 'WORKSPACE' }],
    });

    const generated = await xhr(
      '/fmetoken/service/generate',
      token,
      'POST',
      `user=admin&password=${ADMIN_PASSWORD}&expiration=1&timeunit=hour`,
      FORM,
    );
    expect(generated.status).toBe(200);
    expect(generated.text).toMatch(/^[0-9a-f]{40}$/);

    const lookup = await xhr(
      '/fmetoken/service/view.json',
      generated.text,
      'POST',
      `user=admin&password=${ADMIN_PASSWORD}`,
      FORM,
    );
    expect(lookup.status).toBe(200);
    expect(JSON.parse(lookup.text)).toMatchObject({
      serviceResponse: {
        user: 'admin',
        type: 'SESSION',
        source: 'tokenservice',
        enabled: true,
        expired: false,
      },
    });

    // Errors reach the page too: it can tell a hidden repository from a bad token.
    expect(await xhr('/fmerest/v3/repositories/Nowhere', token)).toMatchObject({ status: 404 });
    expect(await xhr('/fmerest/v3/repositories', '0123456789abcdef0123456789abcdef01234567')).toMatchObject({
      status: 401,
    });
  });
});
