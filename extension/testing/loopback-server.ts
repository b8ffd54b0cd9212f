// A real HTTP server on 127.0.0.1 with a random port, for tests that need a socket to talk to.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

export const VERSION_BODY = {
  buildNumber: 21807,
  buildString: 'tokenward 0.1.0 - Build 21807 - linux-x64',
  releaseYear: 2021,
  majorVersion: 0,
  minorVersion: 0,
  hotfixVersion: 0,
  build: 'tokenward 0.1.0 - Build 21807 - linux-x64',
  version: 'tokenward 0.1.0',
};

/** Answers GET /fmeinfo/version like tokenward does, 404 for everything else. */
export const versionEndpoint: RequestListener = (request, response) => {
  if (request.method === 'GET' && request.url === '/fmeinfo/version') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(VERSION_BODY));
  } else {
    response.writeHead(404, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ code: 'NOT_FOUND', message: 'No such route.' }));
  }
};

export async function startLoopbackServer(listener: RequestListener): Promise<LoopbackServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A loopback URL nothing listens on: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = await startLoopbackServer(() => {});
  await server.close();
  return server.url;
}
