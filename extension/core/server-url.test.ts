// What the popup accepts as a server URL, and which URLs need a run-time host permission.
import { describe, expect, it } from 'vitest';
import { parseServerUrl } from './server-url';

describe('parseServerUrl', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787', true],
    ['  http://localhost:8787/  ', 'http://localhost:8787', true],
    ['https://tokens.example.com/tokenward/', 'https://tokens.example.com/tokenward', false],
    ['HTTP://EXAMPLE.COM', 'http://example.com', false],
    // https on loopback is not in host_permissions, so it needs a grant like any other origin.
    ['https://127.0.0.1:8443', 'https://127.0.0.1:8443', false],
  ])('accepts %s as %s (built in: %s)', (input, url, builtIn) => {
    const parsed = parseServerUrl(input);
    expect(parsed).toEqual({ ok: true, value: { url, origin: new URL(url).origin, builtIn } });
  });

  it.each([
    ['', /Enter the server URL/],
    ['   ', /Enter the server URL/],
    ['127.0.0.1:8787', /is not a URL/],
    ['ftp://example.com', /must start with http:\/\/ or https:\/\/, not ftp:/],
    ['javascript:alert(1)', /must start with http:\/\/ or https:\/\//],
    ['localhost:8787', /must start with http:\/\/ or https:\/\//],
    ['http://admin:secret@example.com', /Leave the user name and password out/],
    ['http://example.com/?x=1', /cannot have a query/],
    ['http://example.com/#top', /cannot have a query/],
  ])('rejects %j with a clear message', (input, message) => {
    const parsed = parseServerUrl(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
