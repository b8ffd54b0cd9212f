// One process owns a SQLite file: an OS-level lock on a file beside it, released by the OS even on kill -9.
import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreOpenError } from './store';

/** Another process (a server, or a command such as admin:password) holds the file. */
export class StoreLockedError extends StoreOpenError {
  override name = 'StoreLockedError';
}

export interface SqliteFileLock {
  release(): void;
}

/**
 * Takes the lock of the SQLite file at `path`, or throws StoreLockedError when another process has it.
 *
 * Each process keeps its own verified-token cache, so two servers on one file would disagree for up to a
 * minute; SQLite itself would let them both in. The lock is an exclusive transaction, never committed, on
 * an empty SQLite file `<path>.lock`: SQLite takes it with the operating system's record locks (fcntl),
 * which the kernel drops when the process ends however it ends, so a crash never leaves a stale lock (a
 * pid file could name a pid that was reused). The database file itself stays readable by other processes,
 * as online backups (`sqlite3 … ".backup …"`) need.
 */
export function lockSqliteFile(path: string): SqliteFileLock {
  if (path === ':memory:') return { release: () => {} };
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  // The same file reached through a symbolic link to its folder must find the same lock.
  const lockPath = join(realpathSync(dirname(absolute)), `${basename(absolute)}.lock`);
  const lock = new Database(lockPath, { timeout: 0 });
  try {
    // In memory: no journal file beside the lock, which holds no data anyway.
    lock.pragma('journal_mode = MEMORY');
    lock.prepare('BEGIN EXCLUSIVE').run();
  } catch (error) {
    lock.close();
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreLockedError(
        `The database ${absolute} is in use by another tokenward process (its lock ${lockPath} is held). ` +
          'One process owns a SQLite file: stop the other server (or command) first, or run several ' +
          'instances on PostgreSQL (DATABASE_URL=postgres://…; see docs/deploy.md).',
      );
    }
    throw error;
  }
  return { release: () => lock.close() };
}
