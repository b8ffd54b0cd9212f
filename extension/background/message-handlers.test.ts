// The checkServer round trip and the onMessage listener: sendMessage → handler → api client → a loopback server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createApiClient } from '../../shared/api-client';
import { sendMessage } from '../core/messages';
import { credentialsItem, keptTokensItem } from '../core/storage-items';
import {
  closedPortUrl,
  type LoopbackServer,
  startLoopbackServer,
  VERSION_BODY,
  versionEndpoint,
} from '../testing/loopback-server';
import { createMessageHandlers, registerMessageHandlers } from './message-handlers';

let server: LoopbackServer | undefined;

beforeEach(() => {
  fakeBrowser.reset();
  registerMessageHandlers(
    browser.runtime.onMessage,
    createMessageHandlers({
      createApiClient,
      fetch: (input, init) => fetch(input, init),
      timeoutMs: 500,
      credentials: credentialsItem,
      keptTokens: keptTokensItem,
    }),
  );
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

describe('checkServer', () => {
  it('returns the version of a reachable tokenward server', async () => {
    server = await startLoopbackServer(versionEndpoint);
    const result = await sendMessage('checkServer', { url: server.url });
    expect(result).toEqual({ ok: true, value: VERSION_BODY });
  });

  it('keeps a path prefix of the server URL', async () => {
    const seen: (string | undefined)[] = [];
    server = await startLoopbackServer((request, response) => {
      seen.push(request.url);
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(VERSION_BODY));
    });
    await sendMessage('checkServer', { url: `${server.url}/tokenward` });
    expect(seen).toEqual(['/tokenward/fmeinfo/version']);
  });

  it('reports NETWORK when nothing listens on the port', async () => {
    const result = await sendMessage('checkServer', { url: await closedPortUrl() });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'NETWORK', status: 0 });
  });

  it('reports NETWORK when the server accepts but never answers', async () => {
    server = await startLoopbackServer(() => {});
    const started = Date.now();
    const result = await sendMessage('checkServer', { url: server.url });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('NETWORK');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports BAD_RESPONSE for a web server that is not tokenward', async () => {
    server = await startLoopbackServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>It works!</title>');
    });
    const result = await sendMessage('checkServer', { url: server.url });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'BAD_RESPONSE', status: 200 });
  });

  it('passes a tokenward error body through unchanged', async () => {
    server = await startLoopbackServer((_request, response) => {
      response.writeHead(503, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ code: 'STORE_UNAVAILABLE', message: 'The token store is down.' }));
    });
    const result = await sendMessage('checkServer', { url: server.url });
    expect(result).toEqual({
      ok: false,
      error: { code: 'STORE_UNAVAILABLE', message: 'The token store is down.', status: 503 },
    });
  });

  it('refuses a URL that is not http(s) without making a request', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(sendMessage('checkServer', { url: 'file:///etc/passwd' })).rejects.toThrow(
      /no valid answer to checkServer/,
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('must be an http(s) server URL'));
  });
});

describe('the onMessage listener', () => {
  it('leaves messages that are not in the map to other listeners', async () => {
    const answers = await browser.runtime.sendMessage({ type: 'somethingElse', data: {} });
    expect(answers).toBeUndefined();
  });
});
