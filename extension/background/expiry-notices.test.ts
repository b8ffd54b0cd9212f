// Expiry notices: each threshold once per expiry, the alarm at the next one, and the click that extends.
import { describe, expect, it } from 'vitest';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import { type RuleStatus, type TokenState, tokenKey } from '../core/dnr-rules';
import type { ValueItem } from '../core/storage-items';
import { DEFAULT_NOTICE_SETTINGS } from '../core/storage-items';
import { NOTICE_ALARM } from './alarms';
import { createExpiryNotices, EXTEND_SECONDS } from './expiry-notices';

function memory<T>(value: T): ValueItem<T> & { value: T } {
  const item = {
    value,
    getValue: async () => item.value,
    setValue: async (next: T) => {
      item.value = next;
    },
  };
  return item;
}

const HOUR = 3_600_000;
const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'API' };
const key = tokenKey(token);

function setup(expiresInMs: number, state: RuleStatus['state'] = 'active', buttons = true) {
  let now = Date.parse('2026-11-29T00:00:00Z');
  const rules = memory<InjectionRule[]>([{ id: 1, token, patterns: ['127.0.0.1:9000/api'], enabled: true }]);
  const tokens = memory<Record<string, TokenState>>({
    [key]: { health: 'valid', expirationDate: new Date(now + expiresInMs).toISOString(), checkedAt: now },
  });
  const shown: { id: string; title: string; buttons?: { title: string }[] }[] = [];
  const cleared: string[] = [];
  const alarms: { name: string; when?: number }[] = [];
  const extended: number[] = [];
  const notices = createExpiryNotices({
    rules,
    status: memory<Record<string, RuleStatus>>({ '1': { state } }),
    tokens,
    settings: memory(DEFAULT_NOTICE_SETTINGS),
    sent: memory<string[]>([]),
    alarms: {
      create: (name, info) => alarms.push({ name, ...(info.when !== undefined && { when: info.when }) }),
      clear: async () => true,
      get: async () => undefined,
    },
    notifications: {
      create: async (id, options) => {
        // Firefox validates the options against its own schema: properties only Chrome knows are an error.
        const refused = ['buttons', 'requireInteraction'].filter((name) => !buttons && name in options);
        if (refused.length > 0) throw new Error(`Unexpected property "${refused[0]}"`);
        shown.push({ id, title: options.title, ...(options.buttons && { buttons: options.buttons }) });
        return id;
      },
      clear: async (id) => {
        cleared.push(id);
        return true;
      },
    },
    extend: async (_ref, seconds) => {
      extended.push(seconds);
      return { ok: true, value: null };
    },
    buttons,
    now: () => now,
  });
  return {
    notices,
    tokens,
    shown,
    cleared,
    alarms,
    extended,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
  };
}

describe('expiry notices', () => {
  it('sets the alarm a day before, notifies once there, then once an hour before', async () => {
    const t = setup(48 * HOUR);
    await t.notices.run();
    expect(t.shown).toEqual([]);
    expect(t.alarms.at(-1)).toEqual({ name: NOTICE_ALARM, when: t.at() + 24 * HOUR });
    t.advance(24 * HOUR);
    await t.notices.run();
    await t.notices.run();
    expect(t.shown).toHaveLength(1);
    expect(t.shown[0]?.title).toBe('Token "API" expires in 1 day');
    expect(t.shown[0]?.buttons).toEqual([{ title: 'Extend by 30 days' }]);
    expect(t.alarms.at(-1)).toEqual({ name: NOTICE_ALARM, when: t.at() + 23 * HOUR });
    t.advance(23 * HOUR);
    await t.notices.run();
    await t.notices.run();
    expect(t.shown.map((s) => s.title)).toEqual([
      'Token "API" expires in 1 day',
      'Token "API" expires in 1 hour',
    ]);
  });

  it('notifies once for thresholds already passed together, and not for rules that do not inject', async () => {
    const t = setup(30 * 60_000);
    await t.notices.run();
    expect(t.shown).toHaveLength(1);
    const off = setup(30 * 60_000, 'off');
    await off.notices.run();
    expect(off.shown).toEqual([]);
  });

  it('a renewed token (new expiry) is notified again before its new expiry', async () => {
    const t = setup(30 * 60_000);
    await t.notices.run();
    t.tokens.value = {
      [key]: {
        health: 'valid',
        expirationDate: new Date(t.at() + 40 * 60_000).toISOString(),
        checkedAt: t.at(),
      },
    };
    await t.notices.run();
    expect(t.shown).toHaveLength(2);
  });

  it('the button extends the token and clears the notice', async () => {
    const t = setup(30 * 60_000);
    await t.notices.run();
    const id = t.shown[0]?.id ?? '';
    expect(await t.notices.clicked(id)).toBe(true);
    expect(t.extended).toEqual([EXTEND_SECONDS]);
    expect(t.cleared).toEqual([id]);
    expect(await t.notices.clicked('someone-else')).toBe(false);
  });

  it('in Firefox (no buttons) shows the notice with only the options Firefox accepts', async () => {
    const t = setup(30 * 60_000, 'active', false);
    await t.notices.run();
    expect(t.shown.map((notice) => notice.id)).toHaveLength(1);
    expect(t.shown[0]?.buttons).toBeUndefined();
  });
});
