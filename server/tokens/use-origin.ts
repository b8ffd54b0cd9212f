// Where a use came from, as a token's details show it: an address block and a client family, never raw values.
import { isIP } from 'node:net';

/**
 * The address a token's details show: an IPv4 address as it is, an IPv6 address as its /64 (one address of a
 * network that hands out many: privacy addresses change every day), an IPv4-mapped IPv6 address as the IPv4
 * one. Null for what is not an address (an in-memory request has none).
 */
export function addressBlock(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const address = raw.trim();
  if (isIP(address) === 4) return address;
  const unzoned = address.replace(/%.*$/, '');
  if (isIP(unzoned) !== 6) return null;
  const groups = ipv6Groups(unzoned);
  const [high = 0, low = 0] = groups.slice(6);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${compress(groups.slice(0, 4).concat([0, 0, 0, 0]))}/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part counts as two). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** RFC 5952's text form: lower-case hex, the longest run of two or more zero groups (the first such) as `::`. */
function compress(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Families are tried in order; the first whose pattern matches names the client. Browsers that carry another's
 * name (Edge and Opera say Chrome, Chrome says Safari) come before the one they imitate.
 */
const FAMILIES: ReadonlyArray<readonly [family: string, pattern: RegExp]> = [
  // FME's own clients (HTTPCaller in a workspace, an engine of FME Flow) send their product's name.
  ['FME Flow', /\bFME ?(?:Flow|Server)\b|\bFMEServer\b/i],
  ['FME Form', /\bFME ?(?:Form|Workbench|Desktop)\b/i],
  ['FME', /^FME\//i],
  ['Edge', /\bEdg(?:e|A|iOS)?\//],
  ['Opera', /\bOPR\//],
  ['Firefox', /\b(?:Firefox|FxiOS)\//],
  ['Chrome', /\b(?:Chrome|Chromium|CriOS|HeadlessChrome)\//],
  ['Safari', /\bVersion\/[\d.]+.*\bSafari\//],
  ['Postman', /^PostmanRuntime\//],
  ['curl', /^curl\//],
  ['wget', /^Wget\//i],
  ['Python requests', /^python-requests\//],
  ['Python', /^(?:python-urllib|Python-urllib|python-httpx|aiohttp)\b/i],
  ['Go', /^Go-http-client\//],
  ['Node.js', /^(?:node-fetch|node|undici|axios)\b/i],
  ['Java', /^(?:Java\/|Apache-HttpClient\/|okhttp\/)/],
  ['PowerShell', /\bWindowsPowerShell\/|\bPowerShell\//],
];

/** The family of a User-Agent header ("Chrome", "curl", "FME Form", …), "Other" for the rest: never the header. */
export function clientFamily(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent === '') return 'Other';
  for (const [family, pattern] of FAMILIES) if (pattern.test(userAgent)) return family;
  return 'Other';
}

/** A use's address block and client family, as a token record keeps them. */
export function describeOrigin(use: { address?: string | undefined; userAgent?: string | undefined }): {
  lastUsedAddress: string | null;
  lastUsedClient: string;
} {
  return { lastUsedAddress: addressBlock(use.address), lastUsedClient: clientFamily(use.userAgent) };
}
