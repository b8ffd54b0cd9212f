// The embedded store: one SQLite file in WAL mode, migrated on open, refused (never replaced) when unreadable.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as v from 'valibot';
import { MIGRATIONS } from './migrations';
import { createRowSchemas } from './row-schemas';
import {
  NameTakenError,
  type NewItem,
  type NewRepository,
  type NewToken,
  type NewUser,
  type Store,
  StoreOpenError,
  type TokenPatch,
  type TokenQuery,
  type UserPatch,
} from './store';
import { asStoreUnavailable } from './store-faults';

const flag = v.pipe(
  v.number(),
  v.transform((n) => n === 1),
);
const jsonStrings = v.pipe(v.string(), v.parseJson(), v.array(v.string()));

const { UserRowSchema, TokenRowSchema, RepositoryRowSchema, ItemRowSchema, AuditRowSchema } =
  createRowSchemas({
    flag,
    strings: jsonStrings,
  });

const ITEM_COLUMNS = 'id, repository_id, name, type, content_type, size, created_at';

// The owner's columns travel with the token so verification is a single indexed lookup.
const VerifiedRowSchema = v.object({
  token: TokenRowSchema,
  owner: UserRowSchema,
});

const TOKEN_COLUMNS = `t.id, t.user_id, u.name AS owner, t.name, t.description, t.type, t.source, t.digest,
  t.enabled, t.restricted, t.permissions, t.created_at, t.saved_at, t.expires_at, t.last_used_at`;

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's lock before the store answers busy (503). */
  busyTimeoutMs?: number;
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  // better-sqlite3 waits synchronously, so the wait is short: a long one would stall every request.
  const db = openDatabase(path, options.busyTimeoutMs ?? 1000);

  const statements = {
    ping: db.prepare('SELECT 1'),
    countUsers: db.prepare('SELECT count(*) AS n FROM users').pluck(),
    insertUser: db.prepare(
      `INSERT INTO users (name, password_hash, roles, enabled, created_at)
       VALUES (@name, @passwordHash, @roles, @enabled, @createdAt) RETURNING *`,
    ),
    userByName: db.prepare('SELECT * FROM users WHERE name = ?'),
    allUsers: db.prepare('SELECT * FROM users ORDER BY name'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    deleteSessionsOf: db.prepare(`DELETE FROM tokens WHERE user_id = ? AND type = 'SESSION' AND id IS NOT ?`),
    insertRepository: db.prepare(
      `INSERT INTO repositories (name, description, owner_id, created_at)
       VALUES (@name, @description, @ownerId, @createdAt) RETURNING *`,
    ),
    allRepositories: db.prepare('SELECT * FROM repositories ORDER BY name'),
    repositoryByName: db.prepare('SELECT * FROM repositories WHERE name = ?'),
    ownedRepositoryNames: db
      .prepare('SELECT name FROM repositories WHERE owner_id = ? ORDER BY name')
      .pluck(),
    deleteRepository: db.prepare('DELETE FROM repositories WHERE id = ?'),
    insertItem: db.prepare(
      `INSERT INTO items (repository_id, name, type, content_type, size, content, created_at)
       VALUES (@repositoryId, @name, @type, @contentType, @size, @content, @createdAt) RETURNING ${ITEM_COLUMNS}`,
    ),
    items: db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = ? ORDER BY name`),
    itemsOfType: db.prepare(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = ? AND type = ? ORDER BY name`,
    ),
    itemByName: db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = ? AND name = ?`),
    itemContent: db.prepare('SELECT content FROM items WHERE id = ?').pluck(),
    deleteItem: db.prepare('DELETE FROM items WHERE id = ?'),
    bumpStreak: db
      .prepare(
        `INSERT INTO sign_in_streaks (key, failures, last_failure, blocked_until) VALUES (@key, 1, @now, 0)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN @now - last_failure > @forget THEN 1 ELSE failures + 1 END,
           last_failure = @now
         RETURNING failures`,
      )
      .pluck(),
    blockStreak: db.prepare('UPDATE sign_in_streaks SET blocked_until = ? WHERE key = ?'),
    clearStreak: db.prepare('DELETE FROM sign_in_streaks WHERE key = ?'),
    hasStreak: db.prepare('SELECT 1 FROM sign_in_streaks WHERE key = ?'),
    insertAccountFailure: db.prepare('INSERT INTO account_failures (account, at) VALUES (?, ?)'),
    accountFailures: db
      .prepare('SELECT at FROM account_failures WHERE account = ? AND at > ? ORDER BY at DESC LIMIT ?')
      .pluck(),
    pruneStreaks: db.prepare(
      'DELETE FROM sign_in_streaks WHERE last_failure < @before AND blocked_until < @before',
    ),
    pruneAccountFailures: db.prepare('DELETE FROM account_failures WHERE at < @before'),
    // The owner's id only while that account exists: an event recorded just after its deletion is kept, unowned.
    insertAudit: db.prepare(
      `INSERT INTO audit_events (at, event, owner_id, owner, token_name, token_type, actor, client, reason)
       VALUES (@at, @event, (SELECT id FROM users WHERE id = @ownerId), @owner, @tokenName, @tokenType,
         @actor, @client, @reason)`,
    ),
    rememberClient: db.prepare(
      `INSERT INTO sign_in_clients (key, last_success) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET last_success = max(last_success, excluded.last_success)`,
    ),
    clientLastSuccess: db.prepare('SELECT last_success FROM sign_in_clients WHERE key = ?').pluck(),
    forgetClients: db.prepare('DELETE FROM sign_in_clients WHERE last_success < ?'),
    insertToken: db
      .prepare(
        `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
         created_at, saved_at, expires_at)
       VALUES (@userId, @name, @description, @type, @source, @digest, @enabled, @restricted, @permissions,
         @createdAt, @savedAt, @expiresAt) RETURNING id`,
      )
      .pluck(),
    tokenById: db.prepare(
      `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`,
    ),
    tokenByName: db.prepare(
      `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? AND t.name = ?`,
    ),
    tokenByDigest: db.prepare(
      `SELECT ${TOKEN_COLUMNS}, u.id AS u_id, u.name AS u_name, u.password_hash AS u_password_hash,
         u.roles AS u_roles, u.enabled AS u_enabled, u.created_at AS u_created_at
       FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = ?`,
    ),
    deleteToken: db.prepare('DELETE FROM tokens WHERE id = ?'),
    deleteExpiredSessions: db.prepare(
      `DELETE FROM tokens WHERE id IN (
         SELECT id FROM tokens WHERE type = 'SESSION' AND expires_at <= ? LIMIT ?)`,
    ),
    markUsed: db.prepare(
      'UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
    ),
  };
  const listStatements = new Map<string, { page: Database.Statement; count: Database.Statement }>();

  function listStatementsFor(query: TokenQuery) {
    const key = `${query.userId === undefined ? 'all' : 'one'}|${query.type ?? ''}|${query.status ?? ''}`;
    let cached = listStatements.get(key);
    if (!cached) {
      const where = query.userId === undefined ? ['1 = 1'] : ['t.user_id = @userId'];
      if (query.type) where.push('t.type = @type');
      if (query.status === 'active') where.push('t.expires_at > @now');
      if (query.status === 'expired') where.push('t.expires_at <= @now');
      const filter = where.join(' AND ');
      // The page's ids first, from the tokens index alone; the owner is joined for those rows only. Joining
      // before OFFSET would look up the owner of every skipped row.
      cached = {
        page: db.prepare(
          `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id
           WHERE t.id IN (
             SELECT t.id FROM tokens t WHERE ${filter}
             ORDER BY t.created_at DESC, t.id DESC LIMIT @limit OFFSET @offset)
           ORDER BY t.created_at DESC, t.id DESC`,
        ),
        count: db.prepare(`SELECT count(*) FROM tokens t WHERE ${filter}`).pluck(),
      };
      listStatements.set(key, cached);
    }
    return cached;
  }

  const parseToken = (row: unknown) => v.parse(TokenRowSchema, row);
  /**
   * Runs a write that reads rows back (INSERT … RETURNING) in an explicit transaction. On its own, such a
   * statement commits when better-sqlite3 resets it after `.get()`, and a failed COMMIT there (a full disk:
   * SQLITE_FULL) is dropped: the row came back, yet nothing was stored. An explicit COMMIT throws.
   */
  const committed = <T>(work: () => T): T => db.transaction(work)();
  const runningTasks = new Set<string>();

  return {
    // One process owns the file, and its own changes reach its cache directly: nothing to tell anyone.
    invalidations: {
      subscribe: (_onSubject, onLive) => {
        onLive(true);
        return () => {};
      },
    },
    ping: async () => guard(() => void statements.ping.get()),
    close: async () => void db.close(),

    countUsers: async () => guard(() => v.parse(v.number(), statements.countUsers.get())),
    createUser: async (user: NewUser) =>
      guard(() =>
        v.parse(
          UserRowSchema,
          committed(() =>
            statements.insertUser.get({
              ...user,
              roles: JSON.stringify(user.roles),
              enabled: user.enabled ? 1 : 0,
            }),
          ),
        ),
      ),
    findUserByName: async (name) =>
      guard(() => {
        const row = statements.userByName.get(name);
        return row === undefined ? undefined : v.parse(UserRowSchema, row);
      }),
    listUsers: async () => guard(() => statements.allUsers.all().map((row) => v.parse(UserRowSchema, row))),
    deleteUser: async (id) => guard(() => statements.deleteUser.run(id).changes === 1),
    updateUser: async (id, patch: UserPatch) =>
      guard(() => {
        const columns: Record<string, unknown> = {};
        if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
        if (patch.roles !== undefined) columns.roles = JSON.stringify(patch.roles);
        if (patch.enabled !== undefined) columns.enabled = patch.enabled ? 1 : 0;
        return updateRow(db, 'users', id, columns);
      }),

    createToken: async (token: NewToken) =>
      guard(() =>
        parseToken(
          committed(() => {
            const id = statements.insertToken.get({
              ...token,
              enabled: token.enabled ? 1 : 0,
              restricted: token.restricted ? 1 : 0,
              permissions: JSON.stringify(token.permissions),
            });
            return statements.tokenById.get(id);
          }),
        ),
      ),
    findTokenByDigest: async (digest) =>
      guard(() => {
        const row = statements.tokenByDigest.get(digest);
        if (row === undefined) return undefined;
        return v.parse(VerifiedRowSchema, { token: row, owner: ownerColumns(row) });
      }),
    findToken: async (userId, name) =>
      guard(() => {
        const row = statements.tokenByName.get(userId, name);
        return row === undefined ? undefined : parseToken(row);
      }),
    listTokens: async (query) =>
      guard(() => {
        const { page, count } = listStatementsFor(query);
        const params = { userId: query.userId, type: query.type, now: query.now };
        const bound = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
        const items = page.all({ ...bound, limit: query.limit, offset: query.offset }).map(parseToken);
        return { items, total: v.parse(v.number(), count.get(bound)) };
      }),
    updateToken: async (id, patch: TokenPatch) =>
      guard(() => {
        const columns: Record<string, unknown> = {};
        if (patch.savedAt !== undefined) columns.saved_at = patch.savedAt;
        if (patch.description !== undefined) columns.description = patch.description;
        if (patch.enabled !== undefined) columns.enabled = patch.enabled ? 1 : 0;
        if (patch.restricted !== undefined) columns.restricted = patch.restricted ? 1 : 0;
        if (patch.permissions !== undefined) columns.permissions = JSON.stringify(patch.permissions);
        if (patch.expiresAt !== undefined) columns.expires_at = patch.expiresAt;
        const assignments = Object.keys(columns).map((column) => `${column} = @${column}`);
        const result = db
          .prepare(`UPDATE tokens SET ${assignments.join(', ')} WHERE id = @id`)
          .run({ ...columns, id });
        return result.changes === 1;
      }),
    deleteToken: async (id) => guard(() => statements.deleteToken.run(id).changes === 1),
    markTokensUsed: async (uses) =>
      guard(() => {
        db.transaction(() => {
          for (const { id, at } of uses) statements.markUsed.run(at, id, at);
        })();
      }),
    deleteExpiredSessionTokens: async (expiredBefore, limit) =>
      guard(() => statements.deleteExpiredSessions.run(expiredBefore, limit).changes),
    deleteSessionTokensOf: async (userId, keepTokenId) =>
      guard(() => statements.deleteSessionsOf.run(userId, keepTokenId ?? null).changes),

    createRepository: async (repository: NewRepository) =>
      guard(() =>
        v.parse(
          RepositoryRowSchema,
          committed(() => statements.insertRepository.get(repository)),
        ),
      ),
    listRepositories: async () =>
      guard(() => statements.allRepositories.all().map((row) => v.parse(RepositoryRowSchema, row))),
    findRepository: async (name) =>
      guard(() => {
        const row = statements.repositoryByName.get(name);
        return row === undefined ? undefined : v.parse(RepositoryRowSchema, row);
      }),
    listOwnedRepositoryNames: async (userId) =>
      guard(() => v.parse(v.array(v.string()), statements.ownedRepositoryNames.all(userId))),
    deleteRepository: async (id) => guard(() => statements.deleteRepository.run(id).changes === 1),

    createItem: async (item: NewItem) =>
      guard(() =>
        v.parse(
          ItemRowSchema,
          committed(() =>
            statements.insertItem.get({
              ...item,
              content: Buffer.from(item.content),
              size: item.content.byteLength,
            }),
          ),
        ),
      ),
    listItems: async (repositoryId, type) =>
      guard(() => {
        const rows =
          type === undefined
            ? statements.items.all(repositoryId)
            : statements.itemsOfType.all(repositoryId, type);
        return rows.map((row) => v.parse(ItemRowSchema, row));
      }),
    findItem: async (repositoryId, name) =>
      guard(() => {
        const row = statements.itemByName.get(repositoryId, name);
        return row === undefined ? undefined : v.parse(ItemRowSchema, row);
      }),
    readItemContent: async (id) =>
      guard(() => {
        const content: unknown = statements.itemContent.get(id);
        return content instanceof Uint8Array ? content : undefined;
      }),
    deleteItem: async (id) => guard(() => statements.deleteItem.run(id).changes === 1),

    bumpSignInStreak: async (key, nowMs, forgetAfterMs) =>
      guard(() =>
        v.parse(
          v.number(),
          committed(() => statements.bumpStreak.get({ key, now: nowMs, forget: forgetAfterMs })),
        ),
      ),
    blockSignIn: async (key, untilMs) => guard(() => void statements.blockStreak.run(untilMs, key)),
    signInBlockedUntil: async (keys) =>
      guard(() => {
        if (keys.length === 0) return 0;
        const placeholders = keys.map(() => '?').join(', ');
        const until = db
          .prepare(`SELECT max(blocked_until) FROM sign_in_streaks WHERE key IN (${placeholders})`)
          .pluck()
          .get(...keys);
        return typeof until === 'number' ? until : 0;
      }),
    // Read first: even a DELETE that matches nothing takes the write lock, and most sign-ins have no streak.
    clearSignInStreak: async (key) =>
      guard(() => {
        if (statements.hasStreak.get(key) !== undefined) statements.clearStreak.run(key);
      }),
    addAccountFailure: async (account, atMs) =>
      guard(() => void statements.insertAccountFailure.run(account, atMs)),
    accountFailuresSince: async (account, sinceMs, limit) =>
      guard(() => v.parse(v.array(v.number()), statements.accountFailures.all(account, sinceMs, limit))),
    pruneSignInFailures: async (beforeMs) =>
      guard(() =>
        db.transaction(
          () =>
            statements.pruneStreaks.run({ before: beforeMs }).changes +
            statements.pruneAccountFailures.run({ before: beforeMs }).changes,
        )(),
      ),

    rememberSignInClient: async (key, atMs) => guard(() => void statements.rememberClient.run(key, atMs)),
    signInClientLastSuccess: async (key) =>
      guard(() => v.parse(v.optional(v.number()), statements.clientLastSuccess.get(key))),
    forgetSignInClients: async (beforeMs) => guard(() => statements.forgetClients.run(beforeMs).changes),

    // One process owns an SQLite file; within it, a task already running is not started again.
    runExclusive: async (task, work) => {
      if (runningTasks.has(task)) return undefined;
      runningTasks.add(task);
      try {
        return await work();
      } finally {
        runningTasks.delete(task);
      }
    },

    recordAuditEvents: async (events) =>
      guard(() => {
        db.transaction(() => {
          for (const event of events) statements.insertAudit.run(event);
        })();
      }),
    listAuditEvents: async (query) =>
      guard(() => {
        const where: string[] = [];
        if (query.ownerId !== undefined) where.push('owner_id = @ownerId');
        if (query.tokenName !== undefined) where.push('token_name = @tokenName');
        const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        const params = Object.fromEntries(
          Object.entries({ ownerId: query.ownerId, tokenName: query.tokenName }).filter(
            ([, value]) => value !== undefined,
          ),
        );
        const items = db
          .prepare(`SELECT * FROM audit_events ${filter} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
          .all({ ...params, limit: query.limit, offset: query.offset })
          .map((row) => v.parse(AuditRowSchema, row));
        const total = v.parse(
          v.number(),
          db.prepare(`SELECT count(*) FROM audit_events ${filter}`).pluck().get(params),
        );
        return { items, total };
      }),
  };
}

/** UPDATE of the given columns (names from this module, never from input) of one row. */
function updateRow(
  db: Database.Database,
  table: 'users' | 'tokens',
  id: number,
  columns: Record<string, unknown>,
) {
  const assignments = Object.keys(columns).map((column) => `${column} = @${column}`);
  if (assignments.length === 0)
    return db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  return (
    db.prepare(`UPDATE ${table} SET ${assignments.join(', ')} WHERE id = @id`).run({ ...columns, id })
      .changes === 1
  );
}

function ownerColumns(row: unknown): unknown {
  if (typeof row !== 'object' || row === null) return row;
  const entries = Object.entries(row).filter(([key]) => key.startsWith('u_'));
  return Object.fromEntries(entries.map(([key, value]) => [key.slice(2), value]));
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a crash of the process (kill -9).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(
      `The database ${path} cannot be opened: ${reason}. ` +
        'tokenward leaves the file as it is; restore it from a backup, or move it aside to start with an empty store.',
    );
  }
}

function migrate(db: Database.Database): void {
  const applied = v.parse(v.number(), db.pragma('user_version', { simple: true }));
  if (applied > MIGRATIONS.length) {
    throw new Error(`its schema version ${applied} is newer than this server knows (${MIGRATIONS.length})`);
  }
  for (const [index, migration] of MIGRATIONS.entries()) {
    if (index < applied) continue;
    db.transaction(() => {
      db.exec(migration.sqlite);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}

/**
 * Runs a statement, turning SQLite's unique-constraint errors and its temporary faults (busy, full disk,
 * I/O error) into the store's own.
 */
function guard<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new NameTakenError('That name is taken.');
    throw asStoreUnavailable(error) ?? error;
  }
}
