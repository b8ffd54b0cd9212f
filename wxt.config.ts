// WXT build configuration for the tokenward browser extension (sources in extension/).
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

const TOOLBAR_ICONS = Object.fromEntries(
  [16, 32, 48, 96, 128].map((size) => [String(size), `icons/${size}.png`]),
);

export default defineConfig({
  srcDir: 'extension',
  manifestVersion: 3,
  // The project's design asks for webextension-polyfill: `browser` from wxt/browser is the polyfill's
  // (promise-based in every browser). Tests keep WXT's fake browser.
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser }) => ({
    name: 'tokenward',
    description: 'Manage FME-style API tokens and inject them into the requests you test.',
    // Rendered by scripts/make-icons.ts; a solid tile that reads on light and dark toolbars.
    icons: TOOLBAR_ICONS,
    action: { default_icon: TOOLBAR_ICONS, default_title: 'tokenward' },
    permissions: [
      'storage',
      // Header injection (Authorization: fmetoken …) through DNR rules. "WithHostAccess" rather than
      // "declarativeNetRequest": it works only where the user granted host access, and adds no
      // "read and change all your data" warning at install.
      'declarativeNetRequestWithHostAccess',
      // The periodic token refresh and the alarm at a token's expiration time.
      'alarms',
      // Observing (never blocking) responses, so a 401 on a request a rule matched rechecks its token.
      // DNR's onRuleMatchedDebug would need declarativeNetRequestFeedback and works only unpacked.
      'webRequest',
      // A notice before a rule's token expires, with one click to extend it.
      'notifications',
      // No "tabs": the badge reads tab URLs only on hosts the extension may access, the only ones it injects on.
    ],
    // The local companion server and APIs on loopback work out of the box, http and https, on every port (a
    // match pattern without a port matches them all); other hosts are asked for at run time. A WebSocket
    // handshake is matched under ws:// or wss://, which the browser treats as hosts of their own to grant.
    host_permissions: ['127.0.0.1', 'localhost', '[::1]'].flatMap((host) =>
      ['http', 'https', 'ws', 'wss'].map((scheme) => `${scheme}://${host}/*`),
    ),
    optional_host_permissions: ['https://*/*', 'http://*/*', 'wss://*/*', 'ws://*/*'],
    // Firefox needs an add-on id for storage and DNR in MV3. The minimum versions are those that know
    // data_collection_permissions (140 on desktop, 142 on Android); storage.session, DNR and optional host
    // permissions are older.
    ...(browser === 'firefox' && {
      browser_specific_settings: {
        gecko: {
          id: 'tokenward@tokenward.dev',
          strict_min_version: '140.0',
          // Firefox asks every add-on to declare what it collects: nothing leaves for the developer.
          data_collection_permissions: { required: ['none'] },
        },
        gecko_android: { strict_min_version: '142.0' },
      },
    }),
  }),
});
