// npm run admin:password -- [--user admin]: set a lost password from the command line and end that user's sessions.
import * as v from 'valibot';
import { PasswordSchema } from '../../shared/schemas/account';
import { createPasswordHasher } from '../auth/password';
import { ConfigError, loadConfig } from '../config';
import { parseAccountOptions, runCommand, withAccount } from './account-command';

const USAGE =
  'Usage: npm run admin:password -- [--user <name>]   (default user: admin)\n' +
  'The new password is read from ADMIN_PASSWORD, or from standard input (typed, hidden, or piped).\n' +
  'With SQLite, stop the server first: one process owns the file.';

async function main(): Promise<void> {
  const options = parseAccountOptions(USAGE);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // The same DATABASE_URL (and ADMIN_PASSWORD rules) as the server.
  const config = loadConfig(process.env);
  const password = config.adminPassword ?? (await readPassword(`New password for "${options.user}": `));
  const checked = v.safeParse(PasswordSchema, password);
  if (!checked.success) throw new ConfigError(`The password ${checked.issues[0].message}.`);

  await withAccount(options.user, async ({ store, description, user }) => {
    const passwordHash = await createPasswordHasher().hash(checked.output);
    // Whoever signed in with the old password is signed out (the count first, for the message); the new password
    // ends, with it, any session made in between. API tokens are the owner's to manage.
    const ended = await store.deleteSessionTokensOf(user.id);
    await store.updateUser(user.id, { passwordHash });
    process.stdout.write(
      `The password of "${user.name}" is changed (${description}); ${ended} session${ended === 1 ? '' : 's'} ended.\n`,
    );
  });
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

runCommand('admin:password', main);
