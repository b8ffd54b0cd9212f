// Which tab the popup speaks about: the active one, or (the popup opened as a tab itself) the last web page used.
import { browser } from 'wxt/browser';

/** The tab the popup speaks about: the active one, or (the popup opened as a tab itself) the last page used. */
export async function currentTabId(): Promise<number | undefined> {
  const own = browser.runtime.getURL('/');
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  if (active?.id !== undefined && !(active.url ?? '').startsWith(own)) return active.id;
  const pages = (await browser.tabs.query({})).filter(
    (tab) => tab.id !== undefined && /^https?:/.test(tab.url ?? ''),
  );
  pages.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return pages[0]?.id;
}

/** The current tab's URL (visible on hosts the extension may access; those are the only ones it injects on). */
export async function currentTabUrl(): Promise<string | undefined> {
  const own = browser.runtime.getURL('/');
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  if (active?.url && !active.url.startsWith(own)) return active.url;
  const pages = (await browser.tabs.query({})).filter((tab) => /^https?:/.test(tab.url ?? ''));
  pages.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return pages[0]?.url;
}
