// Parses the server URL a user types: http(s) only, no credentials, normalised without a trailing slash.

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

export interface ServerUrl {
  /** Normalised base URL, e.g. `http://127.0.0.1:8787` or `https://example.com/tokenward`. */
  url: string;
  origin: string;
  /** Covered by the manifest's host_permissions, so no run-time grant is needed. */
  builtIn: boolean;
}

export type ParsedServerUrl = { ok: true; value: ServerUrl } | { ok: false; message: string };

// Must match host_permissions in wxt.config.ts (http only, any port).
const BUILT_IN_HOSTS = new Set(['127.0.0.1', 'localhost']);

export function parseServerUrl(input: string): ParsedServerUrl {
  const text = input.trim();
  if (text === '') return invalid(`Enter the server URL, for example ${DEFAULT_SERVER_URL}.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`"${text}" is not a URL; it should look like ${DEFAULT_SERVER_URL}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(`The server URL must start with http:// or https://, not ${url.protocol}.`);
  }
  // A password in the URL would end up in storage and in every request log.
  if (url.username !== '' || url.password !== '') {
    return invalid('Leave the user name and password out of the server URL.');
  }
  if (url.search !== '' || url.hash !== '') {
    return invalid('The server URL cannot have a query (?…) or a fragment (#…).');
  }
  const path = url.pathname.replace(/\/+$/, '');
  return {
    ok: true,
    value: {
      url: `${url.origin}${path}`,
      origin: url.origin,
      builtIn: url.protocol === 'http:' && BUILT_IN_HOSTS.has(url.hostname),
    },
  };
}

function invalid(message: string): ParsedServerUrl {
  return { ok: false, message };
}
