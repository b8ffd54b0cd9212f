// What the operator's account commands share (admin:password, admin:restore): the server's own configuration,
// the existing store with the server's rules about owning it, the account by name, and one way to fail.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config';
import { openStore } from '../store/open-store';
import { type Store, StoreOpenError, type UserRecord } from '../store/store';

export interface AccountCommand {
  config: Config;
  store: Store;
  /** Where the store is, for the messages. */
  description: string;
  user: UserRecord;
}

/** `--user <name>` (default admin) and `--help`, or a ConfigError that shows the usage. */
export function parseAccountOptions(usage: string): { user: string; help: boolean } {
  try {
    const { values } = parseArgs({
      options: { user: { type: 'string', default: 'admin' }, help: { type: 'boolean', short: 'h' } },
    });
    return { user: values.user, help: values.help === true };
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
}

/**
 * Opens the store the server's environment names (DATABASE_URL), finds the account, runs `work`, and closes the
 * store. A SQLite store is opened with its lock, so this refuses to run while a server holds the file; a
 * mistyped path is refused rather than answered with a new, empty database.
 */
export async function withAccount(name: string, work: (command: AccountCommand) => Promise<void>) {
  const config = loadConfig(process.env);
  if (config.database.kind === 'sqlite' && !existsSync(config.database.path)) {
    throw new ConfigError(`There is no database at ${resolve(config.database.path)}: check DATABASE_URL.`);
  }
  const { store, description } = await openStore(config.database);
  try {
    const user = await store.findUserByName(name);
    if (!user) throw new ConfigError(`There is no user "${name}" in ${description}.`);
    await work({ config, store, description, user });
  } finally {
    await store.close();
  }
}

/** Runs the command; a known failure prints its message alone, and any failure exits with status 1. */
export function runCommand(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const known = error instanceof ConfigError || error instanceof StoreOpenError;
    process.stderr.write(
      `${name} failed: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
