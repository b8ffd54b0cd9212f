// Stored rules from before version 2 lose their broad-pattern confirmation: an imported file could have set it.
// Rules from before version 3 keep their fields; what changed for them is told once.
import { beforeEach, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { rulesItem, rulesUpdateNoticeItem } from './storage-items';

beforeEach(() => fakeBrowser.reset());

it('forgets every confirmation stored by version 1, and keeps the rest of each rule', async () => {
  const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
  const rule = { id: 1, token, patterns: ['*'], enabled: true };
  await fakeBrowser.storage.local.set({ rules: [{ ...rule, allowBroad: true }], rules$: { v: 1 } });
  await rulesItem.migrate();
  expect(await rulesItem.getValue()).toEqual([rule]);
});

it('tells once how many stored rules now reach only their own site, and how many regexes now wait for a tick', async () => {
  const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
  const rules = [
    { id: 1, token, patterns: ['127.0.0.1:8080'], enabled: true },
    { id: 2, token, patterns: ['api.test'], initiators: ['app.test'], enabled: true },
    // Accepted as narrow before: the slash after the host is optional, so it reaches every port.
    {
      id: 3,
      token,
      patterns: ['/^http:\\/\\/127\\.0\\.0\\.1\\/?/'],
      initiators: ['app.test'],
      enabled: true,
    },
  ];
  await fakeBrowser.storage.local.set({ rules, rules$: { v: 2 } });
  await rulesItem.migrate();
  expect(await rulesItem.getValue()).toEqual(rules);
  expect(await rulesUpdateNoticeItem.getValue()).toEqual({ ownSite: 1, unconfirmed: 1 });
});

it('leaves no notice when nothing changed for the stored rules', async () => {
  const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
  const rules = [{ id: 2, token, patterns: ['api.test'], initiators: ['app.test'], enabled: true }];
  await fakeBrowser.storage.local.set({ rules, rules$: { v: 2 } });
  await rulesItem.migrate();
  expect(await rulesUpdateNoticeItem.getValue()).toBeNull();
});
