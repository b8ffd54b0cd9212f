// Host access a rule depends on: the origins it needs, and which of them the browser no longer grants (Firefox
// lets the user take away even the hosts the manifest lists; injection then stops without a word from DNR).
import type { ExportedRule } from '../../shared/schemas/injection-rules';
import { anchoredOrigin } from './regex-anchor';
import type { CompiledRule, ParsedRule } from './rule';

/** Loopback hosts are in the manifest's host_permissions (every port, http and https): never a prompt. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLoopbackOrigin(origin: string): boolean {
  const host = /^(?:http|ws)s?:\/\/(\[[^\]]*\]|[^/]*)\//.exec(origin)?.[1];
  return host !== undefined && LOOPBACK_HOSTS.has(host);
}

/** A WebSocket handshake needs access to the host under the ws:// or wss:// scheme too. */
const WEBSOCKET_SCHEME = { http: 'ws', https: 'wss' } as const;

/** Origins a rule needs access to: its hosts and its initiator pages, on the schemes it covers. */
export function originsFor(checked: CompiledRule<ExportedRule>): string[] {
  const { rule } = checked;
  const websockets = rule.resourceTypes === undefined || rule.resourceTypes.includes('websocket');
  const origins = new Set<string>();
  for (const { pattern } of checked.patterns) {
    if (pattern.kind === 'regex') {
      // A regex pinned to one origin needs that host on the schemes it names (a match pattern covers every
      // port); one that is not pinned is broad, as `*` is, and is sent only from the pages the rule lists.
      const anchored = anchoredOrigin(pattern.source);
      if (anchored) for (const scheme of anchored.schemes) origins.add(`${scheme}://${anchored.host}/*`);
      continue;
    }
    if (pattern.host === '*') continue;
    const host = pattern.subdomains ? `*.${pattern.host}` : pattern.host;
    for (const scheme of pattern.scheme ? [pattern.scheme] : (['http', 'https'] as const)) {
      origins.add(`${scheme}://${host}/*`);
      if (websockets) origins.add(`${WEBSOCKET_SCHEME[scheme]}://${host}/*`);
    }
  }
  if (checked.pages.kind === 'listed')
    for (const host of checked.pages.initiators)
      for (const scheme of ['http', 'https']) origins.add(`${scheme}://${host}/*`);
  return [...origins];
}

/** The origins the browser must be asked for: loopback is granted at install. */
export function originsToAsk(rule: CompiledRule<ExportedRule>): string[] {
  return originsFor(rule).filter((origin) => !isLoopbackOrigin(origin));
}

/** The port's one question: does the extension hold access to every one of `origins`? */
export interface HostAccessPort {
  contains(request: { origins: string[] }): Promise<boolean>;
}

export interface AccessFindings {
  /** By rule id, the origins the rule needs whose access was removed (only rules missing some). */
  removed: Record<number, string[]>;
  /** Every origin the browser grants now, to remember as once granted. */
  granted: string[];
}

/**
 * Which enabled rules lost host access. An origin counts as removed only when the manifest grants it (loopback) or
 * it was seen granted before (`known`): a host the user never allowed is the prompt's business, not a removal.
 */
export async function missingAccess(
  rules: readonly ParsedRule[],
  access: HostAccessPort,
  known: ReadonlySet<string>,
): Promise<AccessFindings> {
  const verdicts = new Map<string, boolean>();
  const removed: Record<number, string[]> = {};
  for (const { rule, checked } of rules) {
    if (!rule.enabled || !checked.ok) continue;
    const lacking: string[] = [];
    for (const origin of originsFor(checked)) {
      let granted = verdicts.get(origin);
      if (granted === undefined) {
        granted = await access.contains({ origins: [origin] });
        verdicts.set(origin, granted);
      }
      if (!granted && (known.has(origin) || isLoopbackOrigin(origin))) lacking.push(origin);
    }
    if (lacking.length > 0) removed[rule.id] = lacking;
  }
  const granted = [...verdicts].filter(([, yes]) => yes).map(([origin]) => origin);
  return { removed, granted };
}
