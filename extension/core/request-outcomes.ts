// Why a request a rule matched was refused: the last 401 or 403 per rule, with the permissions a 403 names.
import { storage } from 'wxt/utils/storage';
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import { pagesAllow } from './dnr-rules';
import { checkRule } from './rule';
import type { ValueItem } from './storage-items';
import { urlMatches } from './url-patterns';

export interface RequestOutcome {
  ruleId: number;
  token: TokenRef;
  /** Scheme, host, port and path only: a query string or fragment may carry a token value. */
  url: string;
  status: 401 | 403;
  /** Date.now() when the answer came. */
  at: number;
  tabId: number;
  /** For a 403: the permissions the server's `WWW-Authenticate` challenge named (decoded). */
  required?: string[];
}

/** Session storage: which URLs a user called is history, not something to keep past the browser session. */
export const requestOutcomesItem = storage.defineItem<Record<string, RequestOutcome>>(
  'session:requestOutcomes',
  {
    fallback: {},
    version: 1,
  },
);

/** What `webRequest.onCompleted` tells us (with `responseHeaders` asked for). */
export interface CompletedRequest {
  url: string;
  statusCode: number;
  tabId: number;
  type?: string;
  method?: string;
  initiator?: string;
  responseHeaders?: { name: string; value?: string }[];
}

/** The URL without credentials, query or fragment: what is shown and stored. */
export function shownUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '';
  }
}

/**
 * The permissions of an `insufficient_scope` challenge (`scope="<permission> …"` in the 403's
 * WWW-Authenticate, as docs/rest-api.md describes; each percent-encoded
 * where a scope token cannot hold a character). Undefined when no such challenge came.
 */
export function requiredScopes(headers: CompletedRequest['responseHeaders']): string[] | undefined {
  for (const header of headers ?? []) {
    if (header.name.toLowerCase() !== 'www-authenticate' || header.value === undefined) continue;
    if (!/^\s*fmetoken\b/i.test(header.value) || !/error="insufficient_scope"/i.test(header.value)) continue;
    const scope = /\bscope="([^"]*)"/i.exec(header.value)?.[1] ?? '';
    return scope
      .split(' ')
      .filter((token) => token !== '')
      .map(decodeScope);
  }
  return undefined;
}

function decodeScope(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** Whether a rule's DNR rule applied to this request: its tab, a pattern (the one matcher), its types, its pages. */
export function ruleMatchedRequest(rule: InjectionRule, request: CompletedRequest): boolean {
  if (rule.tabId !== undefined && rule.tabId !== request.tabId) return false;
  if (
    rule.resourceTypes &&
    request.type !== undefined &&
    !(rule.resourceTypes as string[]).includes(request.type)
  )
    return false;
  const checked = checkRule(rule);
  if (!checked.ok || !checked.patterns.some(({ pattern }) => urlMatches(pattern, request.url))) return false;
  return pagesAllow(checked.pages, request);
}

export interface OutcomeDeps {
  outcomes: ValueItem<Record<string, RequestOutcome>>;
  now(): number;
}

export function createOutcomeRecorder(deps: OutcomeDeps) {
  return {
    /** A 401 or 403 on a request these (injecting) rules matched: the latest refusal per rule. */
    async record(rules: readonly InjectionRule[], request: CompletedRequest): Promise<void> {
      if ((request.statusCode !== 401 && request.statusCode !== 403) || rules.length === 0) return;
      const required = request.statusCode === 403 ? requiredScopes(request.responseHeaders) : undefined;
      const at = deps.now();
      const outcomes = { ...(await deps.outcomes.getValue()) };
      for (const rule of rules)
        outcomes[String(rule.id)] = {
          ruleId: rule.id,
          token: rule.token,
          url: shownUrl(request.url),
          status: request.statusCode,
          at,
          tabId: request.tabId,
          ...(required !== undefined && { required }),
        };
      await deps.outcomes.setValue(outcomes);
    },

    /** A removed rule's refusals go with it. */
    async forget(keep: (ruleId: number) => boolean): Promise<void> {
      const outcomes = await deps.outcomes.getValue();
      const kept = Object.fromEntries(Object.entries(outcomes).filter(([, o]) => keep(o.ruleId)));
      if (Object.keys(kept).length !== Object.keys(outcomes).length) await deps.outcomes.setValue(kept);
    },
  };
}

export type OutcomeRecorder = ReturnType<typeof createOutcomeRecorder>;
