// Keeps injection bound to each token's life: the periodic refresh, the expiry alarm, 401 answers, tabs, the badge.
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import type { BuildOutput, TokenState } from '../core/dnr-rules';
import { tokenKey } from '../core/dnr-rules';
import { type CompletedRequest, type OutcomeRecorder, ruleMatchedRequest } from '../core/request-outcomes';
import { checkRule } from '../core/rule';
import type { InjectionSettings, ValueItem } from '../core/storage-items';
import { urlMatches } from '../core/url-patterns';
import { type AlarmsPort, EXPIRY_ALARM, LEASE_ALARM, NOTICE_ALARM, REFRESH_ALARM } from './alarms';
import type { LeaseKeeper } from './lease-keeper';
import { PAUSED_BADGE } from './pause-indicator';
import type { RuleSync } from './rule-sync';
import type { TokenChecks } from './token-checks';

/** A burst of 401s from one page means one check, not one per request. */
const RECHECK_GAP_MS = 2_000;

export interface BadgePort {
  setBadgeText(details: { tabId: number; text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
}

export interface TabsPort {
  /** Tab URLs are visible only on hosts the extension may access, which are the only ones it can inject on. */
  query(filter: { active?: true }): Promise<{ id?: number; url?: string }[]>;
}

export interface LifecycleDeps {
  sync: RuleSync;
  checks: TokenChecks;
  rules: ValueItem<InjectionRule[]>;
  settings: ValueItem<InjectionSettings>;
  tokens: ValueItem<Record<string, TokenState>>;
  alarms: AlarmsPort;
  badge: BadgePort;
  tabs: TabsPort;
  /** Where a 401 or 403 on a matched request is kept for the pages to explain. */
  outcomes?: OutcomeRecorder;
  /** Notices before a sent token expires: rescheduled after every reconcile, run at their alarm. */
  notices?: { run(): Promise<void> };
  /** Leases of the bound tokens: minted, renewed and dropped before each rule sync. */
  leases?: Pick<LeaseKeeper, 'sync' | 'renew' | 'inspectAll'>;
  now(): number;
}

export const BADGE_ON = { text: 'ON', color: '#1a7f37' } as const;

/** Rules injecting now that apply to a tab: its URL matches, its page is a listed initiator, or the rule is its own. */
export function rulesForTab(
  rules: readonly InjectionRule[],
  out: Pick<BuildOutput, 'status'>,
  tab: { id?: number; url?: string },
): InjectionRule[] {
  return rules.filter((rule) => {
    if (out.status[rule.id]?.state !== 'active') return false;
    if (rule.tabId !== undefined) return rule.tabId === tab.id;
    if (tab.url === undefined) return false;
    const checked = checkRule(rule);
    if (!checked.ok) return false;
    const host = safeHost(tab.url);
    return (
      checked.patterns.some(({ pattern }) => urlMatches(pattern, tab.url ?? '')) ||
      (host !== undefined && checked.pages.kind === 'listed' && checked.pages.initiators.includes(host))
    );
  });
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

export function createInjectionLifecycle(deps: LifecycleDeps) {
  let last: BuildOutput = { dynamic: [], session: [], status: {} };
  const lastCheck = new Map<string, number>();

  async function scheduleRefresh(): Promise<void> {
    const minutes = (await deps.settings.getValue()).refreshSeconds / 60;
    // Re-creating an alarm restarts its period: a service worker woken every few seconds would never refresh.
    const existing = await deps.alarms.get(REFRESH_ALARM);
    if (existing?.periodInMinutes === minutes) return;
    await deps.alarms.create(REFRESH_ALARM, { delayInMinutes: minutes, periodInMinutes: minutes });
  }

  /** One alarm at the earliest expiry among tokens that rules inject now. */
  async function scheduleExpiry(out: BuildOutput, rules: readonly InjectionRule[]): Promise<void> {
    const tokens = await deps.tokens.getValue();
    const now = deps.now();
    const expiries = rules
      .filter((rule) => out.status[rule.id]?.state === 'active')
      .map((rule) => tokens[tokenKey(rule.token)]?.expirationDate)
      .map((date) => (date ? Date.parse(date) : Number.NaN))
      .filter((at) => at > now);
    if (expiries.length === 0) await deps.alarms.clear(EXPIRY_ALARM);
    // A little after: the rule is built against the clock, which must have passed the expiry when the alarm rings.
    else await deps.alarms.create(EXPIRY_ALARM, { when: Math.min(...expiries) + 250 });
  }

  async function updateBadges(): Promise<void> {
    // Every tab, not only the active ones: a tab's own badge text hides the global one, so pausing (or a rule
    // change) must reach the tabs in the background too before they are shown again.
    const [tabs, rules] = await Promise.all([deps.tabs.query({}), deps.rules.getValue()]);
    await Promise.all(tabs.map((tab) => badgeFor(tab, rules)));
  }

  async function badgeFor(
    tab: { id?: number; url?: string },
    rules?: readonly InjectionRule[],
  ): Promise<void> {
    if (tab.id === undefined) return;
    // A tab's own text hides the global one: while paused every tab says so, not only the ones never badged.
    const paused = (await deps.settings.getValue()).paused;
    const on = !paused && rulesForTab(rules ?? (await deps.rules.getValue()), last, tab).length > 0;
    const badge = paused ? PAUSED_BADGE : on ? BADGE_ON : undefined;
    await deps.badge.setBadgeText({ tabId: tab.id, text: badge?.text ?? '' });
    if (badge) await deps.badge.setBadgeBackgroundColor({ tabId: tab.id, color: badge.color });
  }

  async function reconcile(): Promise<BuildOutput> {
    const renewal = await deps.leases?.sync();
    // An alarm, not a timer: the service worker sleeps between events and an alarm wakes it.
    if (renewal !== undefined) await deps.alarms.create(LEASE_ALARM, { when: renewal });
    else if (deps.leases) await deps.alarms.clear(LEASE_ALARM);
    last = await deps.sync.sync();
    const rules = await deps.rules.getValue();
    const ids = new Set(rules.map((rule) => rule.id));
    await Promise.all([
      scheduleExpiry(last, rules),
      scheduleRefresh(),
      updateBadges(),
      deps.outcomes?.forget((id) => ids.has(id)),
      deps.notices?.run(),
    ]);
    return last;
  }

  /** Reconcile; a rule waiting for its token's first check (say, just turned on after a restart) gets it now. */
  async function changed(): Promise<BuildOutput> {
    await reconcile();
    const rules = await deps.rules.getValue();
    const now = deps.now();
    const waiting = new Set(
      rules
        .filter((rule) => last.status[rule.id]?.state === 'checking')
        .map((rule) => tokenKey(rule.token))
        .filter((key) => now - (lastCheck.get(key) ?? 0) >= RECHECK_GAP_MS),
    );
    if (waiting.size === 0) return last;
    for (const key of waiting) lastCheck.set(key, now);
    await deps.checks.checkBound((ref) => waiting.has(tokenKey(ref)));
    return reconcile();
  }

  async function dropTabRules(keep: (rule: InjectionRule) => boolean): Promise<void> {
    const rules = await deps.rules.getValue();
    const kept = rules.filter(keep);
    if (kept.length !== rules.length) await deps.rules.setValue(kept);
  }

  return {
    changed,
    badgeFor,

    /** Service worker start: reconcile with storage at once (values restored from the device wait), then ask
     * the servers; a value injects again once its server confirmed it. */
    async start(): Promise<void> {
      const now = deps.now();
      for (const rule of await deps.rules.getValue()) lastCheck.set(tokenKey(rule.token), now);
      // Side by side: the first reconcile only ever adds rules for tokens already confirmed, so the check
      // need not wait for it, and a restored value injects as soon as its server answers.
      await Promise.all([reconcile(), deps.checks.checkBound()]);
      await reconcile();
    },

    async onAlarm(alarm: { name: string }): Promise<void> {
      if (alarm.name === EXPIRY_ALARM) {
        await changed();
        await deps.checks.checkBound();
        await changed();
      } else if (alarm.name === REFRESH_ALARM) {
        deps.leases?.inspectAll();
        await deps.checks.checkBound();
        await changed();
      } else if (alarm.name === LEASE_ALARM) {
        await changed();
      } else if (alarm.name === NOTICE_ALARM) {
        await deps.notices?.run();
      }
    },

    /** A 401 or 403 on a request a rule matched: shown on the rule; a 401 also asks the server about its token now. */
    async onResponse(details: CompletedRequest): Promise<void> {
      // tabId -1: the extension's own calls (and other background requests), which no rule is for.
      if ((details.statusCode !== 401 && details.statusCode !== 403) || details.tabId < 0) return;
      // A service worker woken by this very answer has not built its rule states yet.
      if (Object.keys(last.status).length === 0) await changed();
      const rules = await deps.rules.getValue();
      const matching = rules.filter(
        (rule) => last.status[rule.id]?.state === 'active' && ruleMatchedRequest(rule, details),
      );
      await deps.outcomes?.record(matching, details);
      if (details.statusCode !== 401) return;
      const now = deps.now();
      const due = new Set(
        matching
          .map((rule) => tokenKey(rule.token))
          .filter((key) => now - (lastCheck.get(key) ?? 0) >= RECHECK_GAP_MS),
      );
      if (due.size === 0) return;
      for (const key of due) lastCheck.set(key, now);
      // A lease refused: lease again once; when the token cannot be leased any more, the rule stops and says why.
      deps.leases?.renew(due, 'refused');
      await deps.checks.checkBound((ref) => due.has(tokenKey(ref)));
      await changed();
    },

    async tabClosed(tabId: number): Promise<void> {
      await dropTabRules((rule) => rule.tabId !== tabId);
      await changed();
    },

    /** After a browser restart tab ids start over, and the session rules are gone: tab-scoped rules end. */
    async browserStarted(): Promise<void> {
      await dropTabRules((rule) => rule.tabId === undefined);
      await changed();
    },
  };
}

export type InjectionLifecycle = ReturnType<typeof createInjectionLifecycle>;
