// npm run admin:restore -- --user <name>: bring back an administrator from the command line, when no account that
// can manage users is left to do it: the account is enabled and given fmeadmin, and its audit trail says so.
import { hostname, userInfo } from 'node:os';
import { epochSeconds, systemClock } from '../time';
import { parseAccountOptions, runCommand, withAccount } from './account-command';

const ADMIN_ROLE = 'fmeadmin';

const USAGE =
  'Usage: npm run admin:restore -- [--user <name>]   (default user: admin)\n' +
  'Enables the account and gives it the fmeadmin role (its other roles stay), recorded in its audit trail.\n' +
  'With SQLite, stop the server first: one process owns the file. Servers on PostgreSQL see the change at once.';

/** Who ran the command, as the audit trail names them. */
function operator(): string {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    // No entry for this uid (some containers): the host still says where.
  }
  return `admin:restore by ${user} on ${hostname()}`;
}

async function main(): Promise<void> {
  const options = parseAccountOptions(USAGE);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await withAccount(options.user, async ({ store, description, user }) => {
    if (user.enabled && user.roles.includes(ADMIN_ROLE)) {
      process.stdout.write(
        `"${user.name}" is already enabled with ${ADMIN_ROLE} (${description}); nothing changed.\n`,
      );
      return;
    }
    const roles = user.roles.includes(ADMIN_ROLE) ? user.roles : [...user.roles, ADMIN_ROLE];
    const before = `was ${user.enabled ? 'enabled' : 'disabled'} with roles: ${user.roles.join(', ') || 'none'}`;
    await store.updateUser(
      user.id,
      { enabled: true, roles },
      {
        audit: [
          {
            at: epochSeconds(systemClock),
            event: 'account_restored',
            ownerId: user.id,
            owner: user.name,
            tokenName: '',
            tokenType: null,
            actor: operator(),
            client: null,
            reason: before,
          },
        ],
      },
    );
    process.stdout.write(
      `"${user.name}" is enabled and holds ${ADMIN_ROLE} (${description}); its audit trail records the change.\n`,
    );
  });
}

runCommand('admin:restore', main);
