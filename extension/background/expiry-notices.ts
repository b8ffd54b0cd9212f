// Notices before a rule's token expires (by default 1 day and 1 hour before), once per threshold, with one
// click to extend the token; the extension asks its server for the new date and injects on.
import { storage } from 'wxt/utils/storage';
import type { Result } from '../../shared/api-client';
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import { type RuleStatus, type TokenState, tokenKey } from '../core/dnr-rules';
import type { ExpiryNoticeSettings, ValueItem } from '../core/storage-items';
import { duration } from '../core/time-text';
import { type AlarmsPort, NOTICE_ALARM } from './alarms';

const NOTICE_PREFIX = 'tokenward-expiry:';
/** "Extend": the token lives this long from the click (the popup's default preset), never past the server's
 * maximum of 10 years, which the server enforces too. */
export const EXTEND_SECONDS = 30 * 86_400;

/** Notices already shown, `<tokenKey>|<expirationDate>|<minutes>`: each threshold of each expiry notifies once. */
export const expiryNoticesSentItem = storage.defineItem<string[]>('local:expiryNoticesSent', {
  fallback: [],
  version: 1,
});

export interface NotificationsPort {
  create(
    id: string,
    options: {
      type: 'basic';
      iconUrl: string;
      title: string;
      message: string;
      buttons?: { title: string }[];
      requireInteraction?: boolean;
    },
  ): Promise<string>;
  clear(id: string): Promise<boolean>;
}

export interface ExpiryNoticeDeps {
  rules: ValueItem<InjectionRule[]>;
  status: ValueItem<Record<string, RuleStatus>>;
  tokens: ValueItem<Record<string, TokenState>>;
  settings: ValueItem<ExpiryNoticeSettings>;
  sent: ValueItem<string[]>;
  alarms: AlarmsPort;
  notifications: NotificationsPort;
  /** PUT the token with a new expirationTimeout, through the signed-in credential of its server. */
  extend(ref: TokenRef, seconds: number): Promise<Result<null>>;
  /** Whether the browser shows notification buttons and keeps a notice until it is answered (Chrome does;
   * Firefox does neither: a click on the body extends). */
  buttons: boolean;
  now(): number;
}

interface Due {
  ref: TokenRef;
  expiresAt: number;
  expirationDate: string;
  patterns: string[];
}

export function createExpiryNotices(deps: ExpiryNoticeDeps) {
  /** Tokens that injecting rules send, with their expiry. */
  async function watched(): Promise<Due[]> {
    const [rules, status, tokens] = await Promise.all([
      deps.rules.getValue(),
      deps.status.getValue(),
      deps.tokens.getValue(),
    ]);
    const byToken = new Map<string, Due>();
    for (const rule of rules) {
      if (status[String(rule.id)]?.state !== 'active') continue;
      const key = tokenKey(rule.token);
      const expirationDate = tokens[key]?.expirationDate;
      if (!expirationDate) continue;
      const due = byToken.get(key) ?? {
        ref: rule.token,
        expiresAt: Date.parse(expirationDate),
        expirationDate,
        patterns: [],
      };
      due.patterns.push(...rule.patterns);
      byToken.set(key, due);
    }
    return [...byToken.values()];
  }

  const sentKey = (due: Due, minutes: number) => `${tokenKey(due.ref)}|${due.expirationDate}|${minutes}`;

  /** Notify for every threshold passed (one notice per token), then set the alarm at the next one. */
  async function run(): Promise<void> {
    const [tokens, { beforeMinutes }, sent] = await Promise.all([
      watched(),
      deps.settings.getValue(),
      deps.sent.getValue(),
    ]);
    const now = deps.now();
    const done = new Set(sent);
    let next = Number.POSITIVE_INFINITY;
    for (const due of tokens) {
      if (due.expiresAt <= now) continue;
      const passed = beforeMinutes.filter(
        (minutes) => now >= due.expiresAt - minutes * 60_000 && !done.has(sentKey(due, minutes)),
      );
      if (passed.length > 0) {
        for (const minutes of passed) done.add(sentKey(due, minutes));
        await notify(due, now);
      }
      for (const minutes of beforeMinutes) {
        const at = due.expiresAt - minutes * 60_000;
        if (at > now && !done.has(sentKey(due, minutes))) next = Math.min(next, at);
      }
    }
    // Only what still matters: notices of tokens no longer sent or already renewed are forgotten.
    const live = new Set(tokens.map((due) => `${tokenKey(due.ref)}|${due.expirationDate}|`));
    const kept = [...done].filter((key) => live.has(key.slice(0, key.lastIndexOf('|') + 1)));
    if (kept.length !== sent.length || kept.some((key, i) => key !== sent[i])) await deps.sent.setValue(kept);
    if (Number.isFinite(next)) await deps.alarms.create(NOTICE_ALARM, { when: next });
    else await deps.alarms.clear(NOTICE_ALARM);
  }

  async function notify(due: Due, now: number): Promise<void> {
    const left = duration((due.expiresAt - now) / 1000);
    const extend = `Extend by ${duration(EXTEND_SECONDS)}`;
    await deps.notifications.create(`${NOTICE_PREFIX}${tokenKey(due.ref)}`, {
      type: 'basic',
      iconUrl: '/icons/128.png',
      title: `Token "${due.ref.name}" expires in ${left}`,
      message: `tokenward stops sending it to ${due.patterns.join(', ')} then.${deps.buttons ? '' : ` Click to ${extend.toLowerCase()}.`}`,
      // Firefox refuses the whole notice when given either property (its schema knows neither).
      ...(deps.buttons && { buttons: [{ title: extend }], requireInteraction: true }),
    });
  }

  return {
    run,

    /** The notice's button (or, without buttons, the notice): extend the token; a notice says if that failed. */
    async clicked(notificationId: string): Promise<boolean> {
      if (!notificationId.startsWith(NOTICE_PREFIX)) return false;
      const key = notificationId.slice(NOTICE_PREFIX.length);
      const due = (await watched()).find((token) => tokenKey(token.ref) === key);
      await deps.notifications.clear(notificationId);
      if (!due) return false;
      const extended = await deps.extend(due.ref, EXTEND_SECONDS);
      if (!extended.ok)
        await deps.notifications.create(`${NOTICE_PREFIX}failed:${key}`, {
          type: 'basic',
          iconUrl: '/icons/128.png',
          title: `Token "${due.ref.name}" was not extended`,
          message: `${extended.error.message} Open tokenward to extend it.`,
        });
      return extended.ok;
    },

    isNotice: (id: string) => id.startsWith(NOTICE_PREFIX),
  };
}

export type ExpiryNotices = ReturnType<typeof createExpiryNotices>;
