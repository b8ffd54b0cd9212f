// A small model of how Chromium's declarativeNetRequest matches a request against a rule condition, for tests.
// urlFilter: `|` anchors at the start or end, `||` at the start of the host or of one of its labels, `*` is any
// run of characters, `^` is a separator (anything but a letter, digit or `_ - . %`, or the end). regexFilter: RE2,
// run here as a JavaScript RegExp. Both ignore case unless isUrlFilterCaseSensitive (false by default since
// Chrome 118). requestDomains: the host or any of its subdomains. The URL is canonical and has no fragment.
// Of the request (requestMatches): resourceTypes and requestMethods as listed; initiatorDomains the initiator's
// host or a subdomain of a listed one, never a request without an initiator or with an opaque one ("null");
// excludedInitiatorDomains the opposite; domainType firstParty when the initiator is an origin of the same site as
// the URL (scheme and port aside: Chromium's SameDomainOrHost), thirdParty otherwise, including no initiator and
// an opaque one. Each as observed in Chromium with a recording server (README, "Containment").

export interface ModelCondition {
  urlFilter?: string;
  regexFilter?: string;
  isUrlFilterCaseSensitive?: boolean;
  requestDomains?: string[];
  resourceTypes?: string[];
  requestMethods?: string[];
  initiatorDomains?: string[];
  excludedInitiatorDomains?: string[];
  domainType?: 'firstParty' | 'thirdParty';
  tabIds?: number[];
}

export interface ModelRequest {
  url: string;
  type: string;
  /** Upper case, as HTTP writes it. */
  method: string;
  /** The initiating origin; `null` for an opaque origin; absent for a request the browser itself started. */
  initiator?: string;
  tabId?: number;
}

/** The registrable domain (eTLD+1) of a host, or the host itself (IP addresses, single labels): what the test
 * knows of the public suffix list. */
export type SiteOf = (host: string) => string;

/** The URL the browser matches rules against, or null for a URL it would never send. */
export function requestUrlOf(raw: string): URL | null {
  try {
    const url = new URL(raw);
    url.hash = '';
    return url;
  } catch {
    return null;
  }
}

export function conditionMatches(condition: ModelCondition, raw: string): boolean {
  const url = requestUrlOf(raw);
  if (url === null) return false;
  const flags = condition.isUrlFilterCaseSensitive === true ? '' : 'i';
  if (condition.urlFilter !== undefined && !urlFilterRegExp(condition.urlFilter, flags).test(url.href))
    return false;
  if (condition.regexFilter !== undefined && !new RegExp(condition.regexFilter, flags).test(url.href))
    return false;
  if (
    condition.requestDomains !== undefined &&
    !condition.requestDomains.some((domain) => url.hostname === domain || url.hostname.endsWith(`.${domain}`))
  )
    return false;
  return true;
}

export function requestMatches(condition: ModelCondition, request: ModelRequest, siteOf: SiteOf): boolean {
  if (!conditionMatches(condition, request.url)) return false;
  if (condition.resourceTypes !== undefined && !condition.resourceTypes.includes(request.type)) return false;
  if (
    condition.requestMethods !== undefined &&
    !condition.requestMethods.includes(request.method.toLowerCase())
  )
    return false;
  if (
    condition.tabIds !== undefined &&
    (request.tabId === undefined || !condition.tabIds.includes(request.tabId))
  )
    return false;
  const initiator =
    request.initiator === undefined || request.initiator === 'null' ? undefined : new URL(request.initiator);
  const inList = (domains: string[]) =>
    initiator !== undefined &&
    domains.some((domain) => initiator.hostname === domain || initiator.hostname.endsWith(`.${domain}`));
  if (condition.initiatorDomains !== undefined && !inList(condition.initiatorDomains)) return false;
  if (condition.excludedInitiatorDomains !== undefined && inList(condition.excludedInitiatorDomains))
    return false;
  if (condition.domainType !== undefined) {
    const target = new URL(request.url).hostname;
    const firstParty = initiator !== undefined && siteOf(initiator.hostname) === siteOf(target);
    if (firstParty !== (condition.domainType === 'firstParty')) return false;
  }
  return true;
}

function urlFilterRegExp(filter: string, flags: string): RegExp {
  let rest = filter;
  let start = '';
  if (rest.startsWith('||')) {
    // Scheme, optional user info, then the host from its start or from after one of its dots.
    start = String.raw`^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:[^/?#:@]*\.)?`;
    rest = rest.slice(2);
  } else if (rest.startsWith('|')) {
    start = '^';
    rest = rest.slice(1);
  }
  let end = '';
  if (rest.endsWith('|')) {
    end = '$';
    rest = rest.slice(0, -1);
  }
  const body = [...rest]
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '^') return '(?:[^a-zA-Z0-9_.%-]|$)';
      return char.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
    })
    .join('');
  return new RegExp(`${start}${body}${end}`, flags);
}
