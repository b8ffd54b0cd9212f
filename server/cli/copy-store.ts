// npm run store:copy -- --from sqlite:./data/tokenward.sqlite --to postgres://…: move a store to PostgreSQL.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { openStore } from '../store/open-store';
import { StoreOpenError } from '../store/store';
import { copyStore, TargetNotEmptyError } from '../tasks/copy-store';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) {
    throw new ConfigError('Usage: npm run store:copy -- --from <DATABASE_URL> --to <DATABASE_URL>');
  }
  // The same validation as DATABASE_URL, with the same messages.
  const source = await openStore(loadConfig({ DATABASE_URL: values.from }).database);
  const target = await openStore(loadConfig({ DATABASE_URL: values.to }).database);
  try {
    const counts = await copyStore(source.store, target.store);
    process.stdout.write(
      `Copied ${source.description} to ${target.description}: ${counts.users} users, ${counts.tokens} tokens, ` +
        `${counts.repositories} repositories, ${counts.items} items, ${counts.auditEvents} audit events.\n`,
    );
  } finally {
    await source.store.close();
    await target.store.close();
  }
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError || error instanceof StoreOpenError || error instanceof TargetNotEmptyError;
  process.stderr.write(
    `store:copy failed: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
