// npm run admin:password -- [--user admin]: set a lost password from the command line and end that user's sessions.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { PasswordSchema } from '../../shared/schemas/account';
import { createPasswordHasher } from '../auth/password';
import { ConfigError, loadConfig } from '../config';
import { openStore } from '../store/open-store';
import { StoreOpenError } from '../store/store';

const USAGE =
  'Usage: npm run admin:password -- [--user <name>]   (default user: admin)\n' +
  'The new password is read from ADMIN_PASSWORD, or from standard input (typed, hidden, or piped).\n' +
  'With SQLite, stop the server first: one process owns the file.';

async function main(): Promise<void> {
  const { values } = parseOptions();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // The same DATABASE_URL (and ADMIN_PASSWORD rules) as the server.
  const config = loadConfig(process.env);
  const password = config.adminPassword ?? (await readPassword(`New password for "${values.user}": `));
  const checked = v.safeParse(PasswordSchema, password);
  if (!checked.success) throw new ConfigError(`The password ${checked.issues[0].message}.`);

  // A mistyped path must not leave a new, empty database behind.
  if (config.database.kind === 'sqlite' && !existsSync(config.database.path)) {
    throw new ConfigError(`There is no database at ${resolve(config.database.path)}: check DATABASE_URL.`);
  }
  // Opening a SQLite store takes its lock: this refuses to run while a server holds the file.
  const { store, description } = await openStore(config.database);
  try {
    const user = await store.findUserByName(values.user);
    if (!user) throw new ConfigError(`There is no user "${values.user}" in ${description}.`);
    await store.updateUser(user.id, { passwordHash: await createPasswordHasher().hash(checked.output) });
    // Whoever signed in with the old password is signed out; API tokens are the owner's to manage.
    const ended = await store.deleteSessionTokensOf(user.id);
    process.stdout.write(
      `The password of "${user.name}" is changed (${description}); ${ended} session${ended === 1 ? '' : 's'} ended.\n`,
    );
  } finally {
    await store.close();
  }
}

function parseOptions() {
  try {
    return parseArgs({
      options: { user: { type: 'string', default: 'admin' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

/** A line from standard input: without echo when a person types it, the whole input when it is piped. */
async function readPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    let text = '';
    for await (const chunk of input) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  try {
    let typed = '';
    for await (const chunk of input) {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return typed;
        if (char === '\u0003') throw new ConfigError('Cancelled.');
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    }
    return typed;
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof StoreOpenError;
  process.stderr.write(
    `admin:password failed: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
