// Slow and numerous clients over real sockets: slow headers and bodies are cut off, connections capped.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './fixtures/server-process';

let dir: string;
let server: RunningServer | undefined;
const sockets: Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-slow-'));
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.stop('SIGKILL');
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const env = { ADMIN_PASSWORD: 'slow clients password', LOG_REQUESTS: 'false' };

function open(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/**
 * Sends `head` at once, then one byte of `trickle` every `everyMs`, until the server ends the connection;
 * resolves with how long that took and what the server said.
 */
function trickle(socket: Socket, head: string, body: string, everyMs: number) {
  const started = performance.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString();
  });
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < body.length && !socket.destroyed) socket.write(body[sent++] ?? '');
  }, everyMs);
  return new Promise<{ ms: number; answer: string; sent: number }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, answer, sent });
    });
  });
}

describe('slow clients', () => {
  it('cuts off a slow body at the request timeout and slow headers at the headers timeout', async () => {
    server = await startServer({ ...env, HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' }, dir);
    const { host } = new URL(server.baseUrl);
    const body = JSON.stringify({ user: 'admin', password: 'x'.repeat(200) });
    const slowBody = trickle(
      await open(server.baseUrl),
      `POST /fmerest/v3/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
      body,
      100,
    );
    const slowHeaders = trickle(
      await open(server.baseUrl),
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n`,
      'X-Slow: 1\r\n'.repeat(100),
      100,
    );
    // Meanwhile everybody else is served.
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);

    const [cutBody, cutHeaders] = await Promise.all([slowBody, slowHeaders]);
    console.log(
      `slow body cut off after ${Math.round(cutBody.ms)} ms (${cutBody.sent} of ${body.length} bytes); ` +
        `slow headers after ${Math.round(cutHeaders.ms)} ms`,
    );
    // Node's default would hold the body for 300 s. Checks run every second: allow for that and a busy machine.
    expect(cutBody.ms).toBeGreaterThanOrEqual(1900);
    expect(cutBody.ms).toBeLessThan(8000);
    expect(cutBody.sent).toBeLessThan(body.length);
    expect(cutBody.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(cutHeaders.ms).toBeLessThan(6000);
    expect(cutHeaders.answer).toMatch(/^HTTP\/1\.1 408/);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    // A body cut off is the client's fault, not the server's: no error logged for it.
    expect(server.output()).not.toMatch(/unhandled error|"level":"error"/);
  }, 30_000);

  it('closes connections beyond the cap at once, and takes new ones when some end', async () => {
    server = await startServer({ ...env, MAX_CONNECTIONS: '3', HEADERS_TIMEOUT_SECONDS: '30' }, dir);
    const held = [await open(server.baseUrl), await open(server.baseUrl), await open(server.baseUrl)];
    // Each held connection is answered once and kept alive: the answer says the server has taken it.
    const answered = await Promise.all(
      held.map(
        (socket) =>
          new Promise<string>((resolve) => {
            socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
            socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          }),
      ),
    );
    for (const answer of answered) expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const extra = await open(server.baseUrl);
    const closed = await new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    expect(closed).toBe(true);
    for (const socket of held) socket.destroy();
    // Taken again once the server has seen them close: a request refused until then is retried.
    const healthz = `${server.baseUrl}/healthz`;
    const status = () =>
      fetch(healthz).then(
        (res) => res.status,
        () => 0,
      );
    await expect.poll(status, { timeout: 5000 }).toBe(200);
  }, 30_000);
});
