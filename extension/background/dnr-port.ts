// The part of declarativeNetRequest the rule sync uses: a port, so unit tests can fake it (WXT's fake browser has none).
import { browser } from 'wxt/browser';
import type { DnrRule } from '../core/dnr-rules';

export interface UpdateRules {
  removeRuleIds: number[];
  addRules: DnrRule[];
}

export interface DnrPort {
  getDynamicRules(): Promise<{ id: number }[]>;
  updateDynamicRules(update: UpdateRules): Promise<void>;
  getSessionRules(): Promise<{ id: number }[]>;
  updateSessionRules(update: UpdateRules): Promise<void>;
  /** Chrome's RE2 refuses some regular expressions JavaScript accepts (look-arounds, back-references). */
  isRegexSupported(regex: string): Promise<{ isSupported: boolean; reason?: string }>;
}

export function createBrowserDnrPort(): DnrPort {
  const dnr = browser.declarativeNetRequest;
  // The generated types use enums for resource types and operations; our rules hold the same strings.
  type BrowserUpdate = Parameters<typeof dnr.updateDynamicRules>[0];
  const toBrowser = (update: UpdateRules) => update as unknown as BrowserUpdate;
  return {
    getDynamicRules: () => dnr.getDynamicRules(),
    updateDynamicRules: (update) => dnr.updateDynamicRules(toBrowser(update)),
    getSessionRules: () => dnr.getSessionRules(),
    updateSessionRules: (update) => dnr.updateSessionRules(toBrowser(update)),
    isRegexSupported: async (regex) => {
      const answer = await dnr.isRegexSupported({ regex });
      return { isSupported: answer.isSupported, ...(answer.reason && { reason: String(answer.reason) }) };
    },
  };
}
