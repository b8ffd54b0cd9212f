// Request bodies over HTTP: one rule for what counts as JSON, objects only, "missing" for missing
// fields, and a client that gives up mid-body is not a server error.
import { connect } from 'node:net';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { adminBasic } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ logRequests: true });
  await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'existing' });
});
afterEach(() => server.stop());

function send(method: string, path: string, contentType: string, body: string) {
  return fetch(`${server.baseUrl}/fmerest/v3${path}`, {
    method,
    headers: { Authorization: adminBasic, 'Content-Type': contentType },
    body,
  });
}
const errorOf = async (res: Response) => v.parse(ErrorBodySchema, await res.json());

describe('JSON bodies', () => {
  it.each(['[]', '[{"enabled": false}]', 'null', '5', '"text"'])(
    'refuse %s as a set of fields (422)',
    async (body) => {
      const res = await send('PUT', '/tokens/admin/existing', 'application/json', body);
      expect(res.status).toBe(422);
      expect((await errorOf(res)).details).toEqual({ fields: { '(body)': 'must be a JSON object' } });
    },
  );

  it.each([
    'application/json, text/plain',
    'text/plain, application/json',
    'application/json text/plain',
    'application/jsonp',
    'text/plain',
  ])('refuse Content-Type %s with 415 rather than ignore the body', async (contentType) => {
    const update = await send('PUT', '/tokens/admin/existing', contentType, '{"enabled": false}');
    expect(update.status).toBe(415);
    expect((await errorOf(update)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const login = await fetch(`${server.baseUrl}/fmerest/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body: '{"user": "admin", "password": "x"}',
    });
    expect(login.status).toBe(415);
    const token = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/existing`, {
      headers: { Authorization: adminBasic },
    });
    expect(((await token.json()) as { enabled: boolean }).enabled).toBe(true);
  });

  it.each([
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/vnd.tokenward+json',
    'application/json;',
  ])('accept Content-Type %s', async (contentType) => {
    expect((await send('PUT', '/tokens/admin/existing', contentType, '{"enabled": false}')).status).toBe(204);
  });

  it('name a missing field as missing and an unknown one as unknown', async () => {
    const missing = await send('POST', '/tokens', 'application/json', '{}');
    expect(missing.status).toBe(422);
    expect((await errorOf(missing)).details).toEqual({ fields: { name: 'is missing' } });
    const unknown = await send('POST', '/tokens', 'application/json', '{"name": "n", "colour": "red"}');
    expect((await errorOf(unknown)).details).toEqual({ fields: { colour: 'is not a known field' } });
    // Every unknown field is named, not only the first, beside what else is wrong.
    const several = await send(
      'POST',
      '/tokens',
      'application/json',
      '{"colour": "red", "size": 2, "expirationTimeout": "soon", "shape": null}',
    );
    expect((await errorOf(several)).details).toEqual({
      fields: {
        name: 'is missing',
        colour: 'is not a known field',
        size: 'is not a known field',
        shape: 'is not a known field',
        expirationTimeout: expect.any(String),
      },
    });
  });
});

describe('a client that closes mid-body', () => {
  it('is not logged as an unhandled 500', async () => {
    const { port } = new URL(server.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /fmerest/v3/tokens HTTP/1.1\r\nHost: localhost\r\n' +
            `Authorization: ${adminBasic}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
            '6\r\n{"name\r\n',
        );
        setTimeout(() => socket.destroy(), 200);
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    // The request ends on the server a moment after the socket closed.
    const logged = () =>
      server.app.log.lines.find(
        (line) =>
          line.message === 'request' &&
          line.fields?.method === 'POST' &&
          line.fields.path === '/fmerest/v3/tokens' &&
          line.fields.status !== 201,
      );
    for (let i = 0; i < 50 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.app.log.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(logged()?.fields?.status).toBe(400);
  });
});
