// "Does this URL match?": which rule and token would apply to a URL, or why none does, through the one matcher.
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import type { RuleStatus } from './dnr-rules';
import { parsePattern, type UrlPattern, urlMatches } from './url-patterns';

/** A rule as the check sees it: saved ones carry their status; the rule form's draft has none yet. */
export interface CheckedCandidate {
  rule: Pick<
    InjectionRule,
    'id' | 'patterns' | 'token' | 'resourceTypes' | 'initiators' | 'anyPage' | 'tabId'
  >;
  status: RuleStatus | undefined;
}

export interface Near {
  rule: CheckedCandidate['rule'];
  pattern: string;
  /** What differs: "other port: the URL has 8081, the pattern 8080". */
  why: string[];
}

export type UrlExplanation =
  | { kind: 'invalid'; message: string }
  /** `injecting`: the rules whose pattern matches and that inject now; `stopped`: they match but do not. */
  | {
      kind: 'matched';
      injecting: CheckedCandidate[];
      stopped: CheckedCandidate[];
      /** The pattern of each rule that matched, by rule id. */
      patterns: Record<number, string>;
    }
  | { kind: 'none'; nearest: Near | undefined };

type Part = 'scheme' | 'host' | 'port' | 'path';
const PARTS: Part[] = ['scheme', 'host', 'port', 'path'];
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Every subset of the parts, smallest first: the fewest changes that make a pattern match tell what differs. */
const SUBSETS: Part[][] = Array.from({ length: 1 << PARTS.length }, (_, bits) =>
  PARTS.filter((_, index) => bits & (1 << index)),
).sort((a, b) => a.length - b.length);

function withParts(url: URL, pattern: Extract<UrlPattern, { kind: 'host' }>, parts: Part[]): string {
  const next = new URL(url.href);
  for (const part of parts) {
    if (part === 'scheme') next.protocol = `${pattern.scheme ?? 'https'}:`;
    if (part === 'host') next.hostname = pattern.host === '*' ? next.hostname : pattern.host;
    if (part === 'port') next.port = pattern.port === undefined ? '' : String(pattern.port);
    if (part === 'path') next.pathname = pattern.path;
  }
  return next.href;
}

function portOf(url: URL): number {
  return url.port === '' ? (DEFAULT_PORT[url.protocol] ?? 0) : Number(url.port);
}

function describe(url: URL, pattern: Extract<UrlPattern, { kind: 'host' }>, part: Part): string {
  switch (part) {
    case 'scheme':
      return `other scheme: the URL is ${url.protocol.slice(0, -1)}, the pattern only ${pattern.scheme}`;
    case 'host':
      return `other host: ${url.hostname}, the pattern ${pattern.subdomains ? `*.${pattern.host}` : pattern.host}`;
    case 'port':
      return `other port: the URL has ${portOf(url)}, the pattern ${pattern.port ?? 'the default (80/443)'}`;
    case 'path':
      return `other path: ${url.pathname} is not under ${pattern.path} (whole segments; case matters)`;
  }
}

/** Why a pattern does not match, and how far it is (parts that differ; a regex counts as far). */
function distance(url: URL, text: string): { score: number; why: string[] } | undefined {
  const parsed = parsePattern(text);
  if (!parsed.ok) return undefined;
  const pattern = parsed.value;
  if (pattern.kind === 'regex')
    return { score: PARTS.length + 1, why: ['the regular expression does not match this URL'] };
  for (const parts of SUBSETS) {
    if (parts.length === 0) continue;
    if (urlMatches(pattern, withParts(url, pattern, parts)))
      return { score: parts.length, why: parts.map((part) => describe(url, pattern, part)) };
  }
  return { score: PARTS.length, why: ['nothing of it matches'] };
}

/** Which candidates would send their token with a request to `rawUrl`, or the nearest miss. */
export function explainUrl(rawUrl: string, candidates: readonly CheckedCandidate[]): UrlExplanation {
  let url: URL;
  try {
    url = new URL(rawUrl.trim());
  } catch {
    return { kind: 'invalid', message: 'Enter a whole URL, such as https://api.example.com/v1/items.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { kind: 'invalid', message: 'Only http and https requests get a header.' };
  const patterns: Record<number, string> = {};
  const injecting: CheckedCandidate[] = [];
  const stopped: CheckedCandidate[] = [];
  let nearest: (Near & { score: number }) | undefined;
  for (const candidate of candidates) {
    const hit = candidate.rule.patterns.find((text) => {
      const parsed = parsePattern(text);
      return parsed.ok && urlMatches(parsed.value, url.href);
    });
    if (hit !== undefined) {
      patterns[candidate.rule.id] = hit;
      const active = candidate.status === undefined || candidate.status.state === 'active';
      (active ? injecting : stopped).push(candidate);
      continue;
    }
    for (const text of candidate.rule.patterns) {
      const far = distance(url, text);
      if (far && (nearest === undefined || far.score < nearest.score))
        nearest = { rule: candidate.rule, pattern: text.trim(), why: far.why, score: far.score };
    }
  }
  if (injecting.length + stopped.length > 0) return { kind: 'matched', injecting, stopped, patterns };
  return {
    kind: 'none',
    nearest: nearest && { rule: nearest.rule, pattern: nearest.pattern, why: nearest.why },
  };
}

export function tokenText(token: TokenRef): string {
  return `${token.name} (${token.user})`;
}
