// A small model of how Chromium's declarativeNetRequest matches a request URL against a rule condition, for tests.
// urlFilter: `|` anchors at the start or end, `||` at the start of the host or of one of its labels, `*` is any
// run of characters, `^` is a separator (anything but a letter, digit or `_ - . %`, or the end). regexFilter: RE2,
// run here as a JavaScript RegExp. Both ignore case unless isUrlFilterCaseSensitive (false by default since
// Chrome 118). requestDomains: the host or any of its subdomains. The URL is canonical and has no fragment.

export interface ModelCondition {
  urlFilter?: string;
  regexFilter?: string;
  isUrlFilterCaseSensitive?: boolean;
  requestDomains?: string[];
}

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
