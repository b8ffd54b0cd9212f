// Which single host a /regular expression/ pattern is pinned to, read from its source text (never by probing URLs).

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

// `^`, a literal scheme (http, https, https?, or the two as an alternation group), `://` with or without escaped
// slashes, a host of letters, digits, `-` and escaped dots, then what may follow a host: an optional or literal
// port, and the `/` that starts the path. Anything else (an unescaped `.`, a class, a quantifier on the host, a
// missing `/`) is not read as one host: such a regex counts as broad.
const ANCHORED = new RegExp(
  [
    String.raw`^\^(?:https\?|https|http|\((?:\?:)?(?:http\|https|https\|http)\))`,
    String.raw`:(?:\\\/|\/){2}`,
    String.raw`((?:[a-z0-9-]|\\\.)+)`,
    String.raw`(?:\((?:\?:)?:(?:\\d|\[0-9\])\+\)\?|:(?:\\d|\[0-9\])\+|:\d{1,5})?`,
    String.raw`(?:\\\/|\/)`,
  ].join(''),
);

/**
 * The host a regex can only match under (scheme http or https, any port it names), or null when it may match more.
 * The browser runs RE2, which reads some syntax differently from JavaScript: `\Q(\E` quotes a bracket, POSIX and
 * Unicode classes nest `[`. After the anchored prefix, a `|` is allowed only inside a group and only where none of
 * that syntax occurs, so both dialects see the same groups; without any `|` the prefix anchors every match anyway.
 */
export function anchoredHost(source: string): string | null {
  const match = ANCHORED.exec(source);
  if (!match?.[1]) return null;
  const rest = source.slice(match[0].length);
  if (rest.includes('|') && (/\\[QECpPx]|\[/.test(rest) || hasTopLevelAlternative(rest))) return null;
  const host = match[1].replaceAll('\\.', '.');
  return host.split('.').every((label) => HOST_LABEL.test(label)) ? host : null;
}

/** A `|` outside every group makes the anchor apply to one alternative only (classes are refused before). */
function hasTopLevelAlternative(source: string): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i++;
    else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}
