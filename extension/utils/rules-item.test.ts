// Stored rules from before version 2 lose their broad-pattern confirmation: an imported file could have set it.
import { beforeEach, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { rulesItem } from './storage-items';

beforeEach(() => fakeBrowser.reset());

it('forgets every confirmation stored by version 1, and keeps the rest of each rule', async () => {
  const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
  const rule = { id: 1, token, patterns: ['*'], enabled: true };
  await fakeBrowser.storage.local.set({ rules: [{ ...rule, allowBroad: true }], rules$: { v: 1 } });
  await rulesItem.migrate();
  expect(await rulesItem.getValue()).toEqual([rule]);
});
