// Entry point: the only file that reads the environment and opens a socket.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { createPasswordHasher } from './auth/password';
import { ensureAdminUser } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { createConsoleLogger } from './logger';
import { openStore } from './store/open-store';
import { StoreOpenError } from './store/store';
import { createCleanupTask } from './tasks/cleanup';
import { systemClock } from './time';

const log = createConsoleLogger();

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { store, tokenCache, description } = await openStore(config.database);
  const passwords = createPasswordHasher();
  const { generatedAdminPassword } = await ensureAdminUser(
    { store, passwords, clock: systemClock },
    config.adminPassword,
  );
  const app = createApp({
    store,
    tokenCache,
    clock: systemClock,
    passwords,
    log,
    sessionPolicy: config.sessions,
    itemMaxBytes: config.itemMaxBytes,
    maxTokensPerUser: config.maxTokensPerUser,
    maxSessionsPerUser: config.maxSessionsPerUser,
    trustedProxies: config.trustedProxies,
    corsOrigins: config.corsOrigins,
    buildNumber: config.buildNumber,
    logRequests: config.logRequests,
  });
  const cleanup = createCleanupTask({ store, clock: systemClock, log, policy: config.cleanup });
  cleanup.start();

  const { socket } = config;
  const server = serve(
    {
      fetch: app.fetch,
      port: config.port,
      hostname: config.host,
      serverOptions: {
        // Node's defaults let a client trickle a body for 300 s, and check only every 30 s.
        headersTimeout: socket.headersTimeoutMs,
        requestTimeout: socket.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, socket.headersTimeoutMs),
      },
    },
    (address) => {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const lines = [`tokenward is listening on http://${host}:${address.port}`];
      lines.push(`  store: ${description}`);
      if (generatedAdminPassword !== undefined) {
        lines.push(`  first start: user "admin", password ${generatedAdminPassword} (shown only this once)`);
      }
      const extension = resolve('.output/chrome-mv3');
      if (existsSync(extension)) lines.push(`  browser extension: load unpacked from ${extension}`);
      lines.push(`  started in ${Math.round(performance.now())} ms`);
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  );
  // Beyond this many open connections, new ones are closed at once rather than queued without end.
  server.maxConnections = socket.maxConnections;

  const stop = () => {
    cleanup.stop();
    server.close(() => void store.close().finally(() => process.exit(0)));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.env.TOKENWARD_HEAP_SIGNAL === '1') reportHeapOnSignal();
}

/**
 * Bench-only diagnostic (bench/run.ts measures the token cache's bytes per entry with it): on SIGUSR2, collect
 * garbage (the process runs with --expose-gc) and print the heap in use. Off unless the environment asks for
 * it; nothing is served over HTTP.
 */
function reportHeapOnSignal(): void {
  process.on('SIGUSR2', () => {
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    collect?.();
    process.stdout.write(`heap used ${process.memoryUsage().heapUsed}\n`);
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StoreOpenError) {
    process.stderr.write(`tokenward cannot start.\n${error.message}\n`);
  } else {
    process.stderr.write(
      `tokenward cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
