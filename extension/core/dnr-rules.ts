// The pure mapping from the user's injection rules to declarativeNetRequest rules, with why each rule is (not) on.
import {
  type InjectionRule,
  MAX_PATTERNS_PER_RULE,
  RESOURCE_TYPES,
  type ResourceType,
  type TokenRef,
} from '../../shared/schemas/injection-rules';
import type { CheckedRule, Pages, ParsedRule } from './rule';

export {
  BROAD_REFUSAL,
  type CheckedRule,
  checkRule,
  needsConfirmation,
  type Pages,
  type ParsedRule,
} from './rule';

export interface DnrRule {
  id: number;
  priority: number;
  action: {
    type: 'modifyHeaders';
    requestHeaders: { header: string; operation: 'set'; value: string }[];
  };
  condition: {
    regexFilter: string;
    isUrlFilterCaseSensitive: boolean;
    /** firstParty: the request's initiator is on the same site as its URL (no initiator or an opaque one is not). */
    domainType?: 'firstParty';
    initiatorDomains?: string[];
    requestMethods?: SafeMethod[];
    resourceTypes: ResourceType[];
    tabIds?: number[];
  };
}

/** The methods of a navigation that may carry the token whoever started it: the line of `SameSite=Lax` cookies. */
export const SAFE_NAVIGATION_METHODS = ['get', 'head'] as const;
type SafeMethod = (typeof SAFE_NAVIGATION_METHODS)[number];

/** What the extension last learned about a token from its server. */
export type TokenHealth =
  | 'unchecked'
  | 'valid'
  | 'disabled'
  | 'expired'
  | 'removed'
  | 'no-access'
  | 'rejected';
export interface TokenState {
  health: TokenHealth;
  /** From the server (GET /security/me with the value); the expiry alarm and the builder use it. */
  expirationDate: string | null;
  checkedAt: number;
  /**
   * The bound token's creation date as its server gave it when it was last leased: which token of that name the
   * rule means. Another token made later under the same name has another date, and is not the one chosen.
   */
  createdDate?: string;
}

export type RuleState =
  | 'active'
  | 'off'
  | 'paused'
  | 'no-value'
  | 'sign-in'
  | 'checking'
  | 'invalid'
  | 'error'
  | 'host-access-removed'
  | Exclude<TokenHealth, 'unchecked' | 'valid'>;
export interface RuleStatus {
  state: RuleState;
  message?: string;
  /** host-access-removed: the origins to ask the browser for again. */
  origins?: string[];
  /** active: the rule sends a lease of its token, renewed at `renewsAt` (epoch ms). */
  lease?: LeaseTiming;
}

export interface LeaseTiming {
  renewsAt: number;
  expiresAt: number;
  /** Minted with the signed-in user's credential, or with the token's pasted value. */
  via: 'session' | 'value';
}

export interface BuildInput {
  /** The rules, each parsed once by whoever read them (parseRules). */
  rules: readonly ParsedRule[];
  /** The values rules inject, by token: leases (a token's own value only where no lease applies). */
  values: ReadonlyMap<string, string>;
  /** By token: the lease whose value `values` holds, shown on the rule. */
  leases?: ReadonlyMap<string, LeaseTiming>;
  /** By token: why no lease is held yet (waiting for a sign-in, or minting), for rules without a value. */
  waiting?: ReadonlyMap<string, RuleStatus>;
  tokens: Readonly<Record<string, TokenState>>;
  paused: boolean;
  now: number;
  /** Rules that failed to register last time (or whose regex the browser refuses), with the browser's message. */
  failed?: Readonly<Record<number, string>>;
  /** Tokens whose value came back from the device at start-up and that their server has not confirmed yet. */
  unconfirmed?: ReadonlySet<string>;
  /** By rule id, origins the rule needs whose access the user removed in the browser. */
  accessRemoved?: Readonly<Record<number, readonly string[]>>;
}

export interface BuildOutput {
  /** Rules for every tab (registered as session rules too: a dynamic rule would keep the value on disk). */
  dynamic: DnrRule[];
  /** Tab-scoped rules, with a tabIds condition. */
  session: DnrRule[];
  status: Record<number, RuleStatus>;
}

/**
 * DNR ids: rule 7's third pattern is 702, and the safe navigations to it 752. At most MAX_PATTERNS_PER_RULE (50)
 * patterns, so ids never collide.
 */
export const ID_STRIDE = 2 * MAX_PATTERNS_PER_RULE;
export function dnrRuleId(ruleId: number, patternIndex: number, navigation = false): number {
  return ruleId * ID_STRIDE + (navigation ? MAX_PATTERNS_PER_RULE : 0) + patternIndex;
}
export function userRuleId(dnrId: number): number {
  return Math.floor(dnrId / ID_STRIDE);
}

export function tokenKey(ref: TokenRef): string {
  return JSON.stringify([ref.server, ref.user, ref.name]);
}

export function authorizationValue(value: string): string {
  return `fmetoken token=${value}`;
}

/** What the browser tells about a request: enough to decide whether a rule's DNR rules put the token on it. */
export interface SeenRequest {
  url: string;
  type?: string;
  method?: string;
  /** The origin of the page or frame that started it; `null` for an opaque one; absent for the browser's own. */
  initiator?: string;
}

/**
 * Whether the pages condition of a rule lets a request through, as its DNR rules do. The browser decides
 * `firstParty` with the public suffix list, which the extension does not carry: here a shared parent of two or more
 * labels counts as one site, so `a.co.uk` and `b.co.uk` count as one (only for telling which rule a 401 answered).
 */
export function pagesAllow(pages: Pages, request: SeenRequest): boolean {
  if (pages.kind === 'any') return true;
  const initiator = hostOf(request.initiator);
  if (pages.kind === 'listed')
    return (
      initiator !== undefined &&
      pages.initiators.some((host) => initiator === host || initiator.endsWith(`.${host}`))
    );
  if (request.type === 'main_frame' && /^(get|head)$/i.test(request.method ?? 'GET')) return true;
  const target = hostOf(request.url);
  return initiator !== undefined && target !== undefined && sameSite(initiator, target);
}

/** The host of a URL or origin; undefined for none, an opaque origin (`null`) or anything else not a URL. */
function hostOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '').hostname || undefined;
  } catch {
    return undefined;
  }
}

/** An IP address is a site of its own; a name's site is its last two labels (a single label is its own). */
function sameSite(a: string, b: string): boolean {
  if (a === b) return true;
  const site = (host: string) => (/^[\d.]+$|^\[/.test(host) ? host : host.split('.').slice(-2).join('.'));
  return site(a) === site(b);
}

const TOKEN_MESSAGES: Record<Exclude<TokenHealth, 'unchecked' | 'valid'>, string> = {
  disabled: 'Stopped: the token is disabled.',
  expired: 'Stopped: the token has expired.',
  removed: 'Stopped: the token was removed from the server.',
  'no-access': 'Stopped: the token’s owner has no access any more (account disabled).',
  rejected: 'Stopped: the server refuses the token (disabled, expired or removed; sign in to see which).',
};

export function buildDnrRules(input: BuildInput): BuildOutput {
  const dynamic: DnrRule[] = [];
  const session: DnrRule[] = [];
  const status: Record<number, RuleStatus> = {};
  for (const { rule, checked } of [...input.rules].sort((a, b) => a.rule.id - b.rule.id)) {
    const state = ruleState(rule, checked, input);
    status[rule.id] = state;
    if (state.state !== 'active' || !checked.ok) continue;
    const value = input.values.get(tokenKey(rule.token));
    if (value === undefined) continue;
    const resourceTypes = [...(rule.resourceTypes ?? RESOURCE_TYPES)];
    const target = rule.tabId === undefined ? dynamic : session;
    const { pages } = checked;
    checked.patterns.forEach(({ condition: patternCondition }, index) => {
      const dnrRule = (
        id: number,
        condition: Omit<DnrRule['condition'], 'regexFilter' | 'isUrlFilterCaseSensitive'>,
      ): DnrRule => ({
        id,
        // A tab's own rule wins over a rule for every tab when both set the header.
        priority: rule.tabId === undefined ? 1 : 2,
        action: {
          type: 'modifyHeaders',
          requestHeaders: [{ header: 'Authorization', operation: 'set', value: authorizationValue(value) }],
        },
        condition: {
          ...patternCondition,
          ...condition,
          ...(rule.tabId !== undefined && { tabIds: [rule.tabId] }),
        },
      });
      if (pages.kind === 'any') target.push(dnrRule(dnrRuleId(rule.id, index), { resourceTypes }));
      else if (pages.kind === 'listed')
        target.push(
          dnrRule(dnrRuleId(rule.id, index), { initiatorDomains: pages.initiators, resourceTypes }),
        );
      else {
        target.push(dnrRule(dnrRuleId(rule.id, index), { domainType: 'firstParty', resourceTypes }));
        // The browser counts a request without an initiator (typed, bookmarked, opened by an extension) as
        // third-party, and a followed link is one: top-level GET and HEAD navigations get a rule of their own.
        if (resourceTypes.includes('main_frame'))
          target.push(
            dnrRule(dnrRuleId(rule.id, index, true), {
              requestMethods: [...SAFE_NAVIGATION_METHODS],
              resourceTypes: ['main_frame'],
            }),
          );
      }
    });
  }
  return { dynamic, session, status };
}

/** `https://api.example.com/*` as the user reads it: `https://api.example.com`. */
function originText(origin: string): string {
  return origin.endsWith('/*') ? origin.slice(0, -2) : origin;
}

function ruleState(rule: InjectionRule, checked: CheckedRule, input: BuildInput): RuleStatus {
  if (!checked.ok) return { state: 'invalid', message: checked.message };
  const failed = input.failed?.[rule.id];
  if (failed !== undefined) return { state: 'error', message: `The browser refused this rule: ${failed}` };
  if (!rule.enabled) return { state: 'off' };
  if (input.paused) return { state: 'paused' };
  const removed = input.accessRemoved?.[rule.id];
  if (removed !== undefined && removed.length > 0)
    return {
      state: 'host-access-removed',
      message: `Access to ${removed.map(originText).join(', ')} was removed in the browser, so this rule stopped.`,
      origins: [...removed],
    };
  const key = tokenKey(rule.token);
  const token = input.tokens[key];
  const expired =
    token?.expirationDate !== null &&
    token?.expirationDate !== undefined &&
    Date.parse(token.expirationDate) <= input.now;
  const health = expired ? 'expired' : (token?.health ?? 'unchecked');
  // What happened to the token says more than a missing value (a removed token's value is forgotten).
  if (health !== 'unchecked' && health !== 'valid') return { state: health, message: TOKEN_MESSAGES[health] };
  const waiting = input.waiting?.get(key);
  if (!input.values.has(key) && waiting !== undefined) return waiting;
  if (!input.values.has(key))
    return {
      state: 'no-value',
      message: 'The token’s value is not held in this browser: paste it to resume.',
    };
  if (input.unconfirmed?.has(key))
    return { state: 'checking', message: 'Waiting for the server to confirm the token (after a restart).' };
  const lease = input.leases?.get(key);
  return lease === undefined ? { state: 'active' } : { state: 'active', lease };
}
