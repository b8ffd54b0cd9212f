// The containment near-misses, one list for every browser the extension is tested in: the rules to save, the
// requests they must reach, and the requests, navigations and redirects that must not carry the token; and the
// recording API they are sent to.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Recorded {
  port: number;
  host: string;
  url: string;
  authorization: string | undefined;
}

/** Records every request in `seen`; `/…/redirect?to=URL` answers 302 to URL, `/page` an HTML page, the rest JSON. */
export function recordingApi(seen: Recorded[], port: () => number) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    seen.push({
      port: port(),
      host: request.headers.host ?? '',
      url,
      authorization: request.headers.authorization,
    });
    const target = /\/redirect\?to=([^&]+)/.exec(url)?.[1];
    if (target !== undefined) {
      response.writeHead(302, { Location: decodeURIComponent(target), 'Cache-Control': 'no-store' });
      response.end();
    } else if (url.startsWith('/page')) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>recording API</title><p>test page</p>');
    } else {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify({ url }));
    }
  };
}

/** Ports of the three recording APIs on loopback. */
export interface ContainmentPorts {
  A: number;
  B: number;
  C: number;
}

export interface ContainmentRule {
  patterns: string[];
  /** For any page: the tests' page is on 127.0.0.1, another site than localhost. */
  anyPage?: boolean;
}

export interface ContainmentCases {
  /** Saved before the sweep, all for the same token. */
  rules: ContainmentRule[];
  /** Fetched from the page on port A: each carries the token. */
  matching: string[];
  /** Fetched from the page on port A: none carries it. */
  nonMatching: string[];
  /** Opened in a new tab: none carries it. */
  navigations: string[];
  /** [from, to]: the first hop carries the token, the second does not. */
  redirects: [string, string][];
}

/** Host names below localhost that the cases request; a browser must resolve them to loopback. */
export const CONTAINMENT_SUBDOMAINS = ['sub.localhost', 'a.b.localhost', 'api.localhost'];

export function containmentCases({ A, B, C }: ContainmentPorts): ContainmentCases {
  const a = `127.0.0.1:${A}`;
  return {
    rules: [
      { patterns: [`127.0.0.1:${A}/ns`] },
      { patterns: [`http://127.0.0.1:${A}/api`] },
      { patterns: [`localhost:${B}/v1`], anyPage: true },
    ],
    matching: [
      `http://${a}/ns`,
      `http://${a}/ns/deeper/x`,
      `http://${a}/ns?q=1`,
      `http://${a}/api`,
      `http://${a}/api/v2`,
      `http://${a}/api?x=/apix`,
      `http://localhost:${B}/v1`,
      `http://localhost:${B}/v1/items`,
      `http://localhost:${B}/v1?all`,
    ],
    nonMatching: [
      // other ports
      `http://127.0.0.1:${B}/ns`,
      `http://127.0.0.1:${C}/ns/x`,
      `http://127.0.0.1:${B}/api`,
      `http://127.0.0.1:${C}/api/x`,
      `http://localhost:${A}/v1`,
      `http://localhost:${C}/v1/x`,
      // other hosts (the same loopback address under another name)
      `http://localhost:${A}/ns`,
      `http://localhost:${A}/api`,
      `http://127.0.0.1:${B}/v1`,
      // longer segments and separators
      `http://${a}/nsx`,
      `http://${a}/ns,x`,
      `http://${a}/ns;x`,
      `http://${a}/ns=x`,
      `http://${a}/ns.json`,
      `http://${a}/ns-1`,
      `http://${a}/ns%2Fx`,
      `http://${a}/apix`,
      `http://${a}/apis/x`,
      `http://${a}/api,x`,
      `http://${a}/api;x`,
      `http://${a}/api:x`,
      `http://${a}/api!x`,
      `http://${a}/api%3Fx`,
      `http://localhost:${B}/v1x`,
      `http://localhost:${B}/v1,x`,
      `http://localhost:${B}/v10`,
      // other case
      `http://${a}/NS`,
      `http://${a}/Ns/x`,
      `http://${a}/API`,
      `http://${a}/API/x`,
      `http://${a}/aPi?x`,
      `http://localhost:${B}/V1`,
      // elsewhere on the host
      `http://${a}/`,
      `http://${a}/x/ns`,
      `http://${a}/private/api`,
      `http://localhost:${B}/`,
      `http://localhost:${B}/v2/v1`,
      // subdomains of a plain host
      `http://sub.localhost:${B}/v1`,
      `http://a.b.localhost:${B}/v1/x`,
      `http://api.localhost:${A}/api`,
      // query strings holding the pattern's text
      `http://127.0.0.1:${B}/leak?r=://${a}/ns`,
      `http://${a}/private?r=://${a}/ns`,
      `http://${a}/private?next=http://${a}/api`,
      `http://127.0.0.1:${C}/x?u=http://localhost:${B}/v1`,
      `http://localhost:${B}/login?next=http://localhost:${B}/v1`,
      `http://${a}/private?ns`,
      `http://${a}/private?/api`,
    ],
    navigations: [
      `http://127.0.0.1:${B}/ns`,
      `http://${a}/apix`,
      `http://localhost:${C}/v1`,
      `http://${a}/API`,
    ],
    redirects: [
      [`http://${a}/api`, `http://127.0.0.1:${B}/after`],
      [`http://${a}/api`, `http://${a}/private`],
      [`http://${a}/api`, `http://127.0.0.1:${C}/api`],
      [`http://${a}/ns`, `http://localhost:${A}/ns`],
      [`http://localhost:${B}/v1`, `http://127.0.0.1:${B}/v1`],
      [`http://localhost:${B}/v1`, `http://sub.localhost:${B}/v1`],
    ],
  };
}
