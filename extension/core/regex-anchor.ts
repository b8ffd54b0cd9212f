// Which one origin a /regular expression/ pattern is pinned to, proved from its source (never by probing URLs).
//
// A regex is narrow only if every URL it can match has the one host and port it names, on the schemes it names.
// The source is read as a small grammar, element by element, and anything outside it is "cannot prove":
//
//   ^ SCHEME : / / HOST [: PORT] BOUNDARY REST
//
// SCHEME  http, https, ws or wss; `https?`, `wss?`; or a group of those words: `(?:http|https)`, `(https|wss)`.
// HOST    letters, digits, `-` and escaped dots, forming a host name or IPv4 address (no class, no quantifier).
// PORT    digits, 1–65535, written as the browser writes it (no leading zero).
// BOUNDARY what must follow the host and port, exactly once (no `?`, `*`, `+` or `{…}` after it): `/` or `\/`,
//         `$`, a class of `/`, `?` and `#` only (`[/?#]`), or a group whose every alternative is one of these
//         (`(?:[/?#]|$)`, `(\/|$)`). A canonical http(s) URL always has `/` after the port, so the host ends there.
// REST    anything, except a `|` that could end the prefix's alternative: it must sit inside a group, and the rest
//         must hold none of the syntax that RE2 (the browser's engine) and JavaScript read differently around
//         groups — classes (`[)|]`, RE2's `[[:alpha:]]`), `\Q…\E` quoting, `\p{…}`, `\x{…}`.

export type AnchorScheme = 'http' | 'https' | 'ws' | 'wss';

export interface AnchoredOrigin {
  /** The schemes the regex can match, in the order written. */
  schemes: AnchorScheme[];
  /** Lower case, as the browser writes it. */
  host: string;
  /** Absent: each scheme's default port. */
  port?: number;
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const SCHEMES: readonly string[] = ['http', 'https', 'ws', 'wss'] satisfies AnchorScheme[];
const isScheme = (word: string): word is AnchorScheme => SCHEMES.includes(word);
const QUANTIFIERS = new Set(['?', '*', '+', '{']);
/** What a boundary class may hold: the characters that can end a URL's authority. */
const BOUNDARY_CLASS = /^\[((?:\\?[/?#])+)\]/;
const DIVERGENT_SYNTAX = /\\[QEpPx]|\[/;

/** A cursor over the source: each reader consumes one element of the grammar, or returns null. */
class Reader {
  constructor(
    readonly source: string,
    public at = 0,
  ) {}

  take(text: string): boolean {
    if (!this.source.startsWith(text, this.at)) return false;
    this.at += text.length;
    return true;
  }

  /** `/` or `\/`. */
  slash(): boolean {
    return this.take('/') || this.take('\\/');
  }

  quantified(): boolean {
    return QUANTIFIERS.has(this.source.charAt(this.at));
  }
}

/** The origin a regex can only match under, or null when that cannot be proved from its source. */
export function anchoredOrigin(source: string): AnchoredOrigin | null {
  const reader = new Reader(source);
  if (!reader.take('^')) return null;
  const schemes = readSchemes(reader);
  if (schemes === null || !reader.take(':') || !reader.slash() || !reader.slash()) return null;
  const host = readHost(reader);
  if (host === null) return null;
  let port: number | undefined;
  if (reader.take(':')) {
    const digits = /^[1-9]\d{0,4}/.exec(source.slice(reader.at))?.[0];
    if (digits === undefined || Number(digits) > 65535) return null;
    reader.at += digits.length;
    port = Number(digits);
  }
  if (!readBoundary(reader) || reader.quantified()) return null;
  if (!restKeepsAnchor(source.slice(reader.at))) return null;
  return { schemes, host, ...(port !== undefined && { port }) };
}

/** `http`, `https?`, `(?:http|https)`, `(wss|https)`: the schemes named, or null. */
function readSchemes(reader: Reader): AnchorScheme[] | null {
  if (reader.take('(')) {
    reader.take('?:');
    const schemes: AnchorScheme[] = [];
    do {
      const word = readSchemeWord(reader);
      if (word === null) return null;
      schemes.push(...word);
    } while (reader.take('|'));
    return reader.take(')') && !reader.quantified() ? schemes : null;
  }
  return readSchemeWord(reader);
}

function readSchemeWord(reader: Reader): AnchorScheme[] | null {
  const scheme = /^[a-z]+/.exec(reader.source.slice(reader.at))?.[0] ?? '';
  if (!isScheme(scheme)) return null;
  reader.at += scheme.length;
  if (reader.take('?')) {
    // `https?` / `wss?`: the `?` makes the last letter optional, so it must be that `s`.
    if (scheme === 'https') return ['http', 'https'];
    if (scheme === 'wss') return ['ws', 'wss'];
    return null;
  }
  return reader.quantified() ? null : [scheme];
}

/** Letters, digits, `-` and `\.`, forming dot-separated labels (none empty); null when they do not. */
function readHost(reader: Reader): string | null {
  let host = '';
  for (;;) {
    const char = reader.source.charAt(reader.at);
    if (/^[a-z0-9-]$/.test(char)) {
      host += char;
      reader.at++;
    } else if (reader.take('\\.')) host += '.';
    else break;
  }
  // A quantifier after the host is caught by what must follow it: neither a port nor a boundary starts with one.
  return host.split('.').every((label) => HOST_LABEL.test(label)) ? host : null;
}

/** One mandatory element that only the end of the authority can satisfy. */
function readBoundary(reader: Reader): boolean {
  if (readBoundaryAtom(reader)) return true;
  if (!reader.take('(')) return false;
  reader.take('?:');
  do {
    if (!readBoundaryAtom(reader)) return false;
  } while (reader.take('|'));
  return reader.take(')');
}

function readBoundaryAtom(reader: Reader): boolean {
  if (reader.slash() || reader.take('$') || reader.take('\\?') || reader.take('#') || reader.take('\\#'))
    return !reader.quantified();
  const boundaryClass = BOUNDARY_CLASS.exec(reader.source.slice(reader.at));
  if (boundaryClass === null) return false;
  reader.at += boundaryClass[0].length;
  return !reader.quantified();
}

/** Whether the part after the boundary keeps the anchor on every match, read alike by RE2 and JavaScript. */
function restKeepsAnchor(rest: string): boolean {
  if (!rest.includes('|')) return true;
  if (DIVERGENT_SYNTAX.test(rest)) return false;
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const char = rest[i];
    if (char === '\\') i++;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === '|' && depth <= 0) return false;
  }
  return true;
}
