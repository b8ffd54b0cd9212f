// WXT build configuration for the tokenward browser extension (sources in extension/).
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

export default defineConfig({
  srcDir: 'extension',
  manifestVersion: 3,
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'tokenward',
    description: 'Manage FME-style API tokens and inject them into the requests you test.',
    permissions: ['storage'],
    // The local companion server works out of the box; other servers are asked for at run time.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
  },
});
