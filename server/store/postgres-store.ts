// The shared store for several instances: PostgreSQL through a connection pool, the same interface and migrations.
import { createHash } from 'node:crypto';
import pg from 'pg';
import * as v from 'valibot';
import { MIGRATIONS } from './migrations';
import { createRowSchemas } from './row-schemas';
import {
  type InvalidationSubject,
  type Invalidations,
  NameTakenError,
  type Store,
  StoreOpenError,
  staleAfter,
  type TokenQuery,
} from './store';
import { asStoreUnavailable } from './store-faults';

// BIGINT (oid 20) holds epoch seconds and ids, all far below 2^53: read them as numbers, not strings.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const { UserRowSchema, TokenRowSchema, RepositoryRowSchema, ItemRowSchema, AuditRowSchema } =
  createRowSchemas({
    flag: v.boolean(),
    strings: v.array(v.string()),
  });

const TOKEN_COLUMNS = `t.id, t.user_id, u.name AS owner, t.name, t.description, t.type, t.source, t.digest,
  t.enabled, t.restricted, t.permissions, t.created_at, t.saved_at, t.expires_at, t.last_used_at`;
const ITEM_COLUMNS = 'id, repository_id, name, type, content_type, size, created_at';

/**
 * PostgreSQL text cannot hold NUL, which a user name in a Basic header or a name in a URL may carry. No stored
 * name can contain a control character (every name is validated on the way in), so U+0001 in its place
 * keeps the query valid and still matches nothing, as the NUL would have.
 */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string')
    return value.includes('\u0000') ? value.replaceAll('\u0000', '\u0001') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  return value;
}

/** The pool, or one client holding a transaction. */
type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

function query(db: Queryable, text: string, values: unknown[] = []) {
  return db.query(text, values.map(withoutNul));
}

/** A stable 64-bit advisory-lock key for a name. */
function lockKey(name: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 16)}`),
  ).toString();
}

/** Runs a query, turning unique violations and an unreachable, busy or full server into the store's own errors. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
    if (code === '23505') throw new NameTakenError('That name is taken.');
    throw asStoreUnavailable(error) ?? error;
  }
}

export interface PostgresStoreOptions {
  /** Connections in the pool. */
  maxConnections?: number;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(`The PostgreSQL database cannot be used: ${reason}.`);
  }

  const rows = async (text: string, values: unknown[] = [], db: Queryable = pool) =>
    (await query(db, text, values)).rows as unknown[];
  const one = async (text: string, values: unknown[] = [], db: Queryable = pool) =>
    (await rows(text, values, db))[0];
  const count = async (text: string, values: unknown[] = [], db: Queryable = pool) =>
    (await query(db, text, values)).rowCount ?? 0;
  const parseToken = (row: unknown) => v.parse(TokenRowSchema, row);

  /**
   * Runs a write and its invalidation message in one transaction: PostgreSQL delivers a NOTIFY when the
   * transaction commits, so every instance hears of the write exactly when it commits, and never of one
   * that did not. (Sent afterwards, a crash or a lost connection in between left the others' caches stale.)
   */
  async function notifying<T>(
    subject: InvalidationSubject,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, subject]);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A client whose ROLLBACK fails has lost its connection: it is destroyed, not returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async function updateRow(
    table: 'users' | 'tokens',
    id: number,
    columns: Record<string, unknown>,
    db: Queryable,
  ): Promise<boolean> {
    const names = Object.keys(columns);
    if (names.length === 0)
      return (await one(`SELECT 1 FROM ${table} WHERE id = $1`, [id], db)) !== undefined;
    const assignments = names.map((name, index) => `${name} = $${index + 2}`).join(', ');
    return (
      (await count(
        `UPDATE ${table} SET ${assignments} WHERE id = $1`,
        [id, ...Object.values(columns)],
        db,
      )) === 1
    );
  }

  return {
    invalidations: createNotifyChannel(url),
    ping: () => guard(async () => void (await pool.query('SELECT 1'))),
    close: async () => {
      await pool.end();
    },

    countUsers: () =>
      guard(async () => v.parse(v.object({ n: v.number() }), await one('SELECT count(*) AS n FROM users')).n),
    createUser: (user) =>
      guard(async () =>
        v.parse(
          UserRowSchema,
          await one(
            `INSERT INTO users (name, password_hash, roles, enabled, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
            [user.name, user.passwordHash, user.roles, user.enabled, user.createdAt],
          ),
        ),
      ),
    findUserByName: (name) =>
      guard(async () => {
        const row = await one('SELECT * FROM users WHERE name = $1', [name]);
        return row === undefined ? undefined : v.parse(UserRowSchema, row);
      }),
    listUsers: () =>
      guard(async () =>
        (await rows('SELECT * FROM users ORDER BY name')).map((row) => v.parse(UserRowSchema, row)),
      ),
    deleteUser: (id) =>
      guard(() =>
        notifying(
          staleAfter.user(id),
          async (client) => (await count('DELETE FROM users WHERE id = $1', [id], client)) === 1,
        ),
      ),
    updateUser: (id, patch) =>
      guard(() => {
        const columns: Record<string, unknown> = {};
        if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
        if (patch.roles !== undefined) columns.roles = patch.roles;
        if (patch.enabled !== undefined) columns.enabled = patch.enabled;
        return notifying(staleAfter.user(id), (client) => updateRow('users', id, columns, client));
      }),

    createToken: (token) =>
      guard(() =>
        notifying(staleAfter.createToken(token.digest), async (client) => {
          const inserted = v.parse(
            v.object({ id: v.number() }),
            await one(
              `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
               created_at, saved_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
              [
                token.userId,
                token.name,
                token.description,
                token.type,
                token.source,
                token.digest,
                token.enabled,
                token.restricted,
                token.permissions,
                token.createdAt,
                token.savedAt,
                token.expiresAt,
              ],
              client,
            ),
          );
          return parseToken(
            await one(
              `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`,
              [inserted.id],
              client,
            ),
          );
        }),
      ),
    findTokenByDigest: (digest) =>
      guard(async () => {
        const row = await one(
          `SELECT ${TOKEN_COLUMNS}, row_to_json(u.*) AS owner_row
           FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = $1`,
          [digest],
        );
        if (row === undefined) return undefined;
        const { owner_row: ownerRow } = v.parse(v.object({ owner_row: v.unknown() }), row);
        return { token: parseToken(row), owner: v.parse(UserRowSchema, ownerRow) };
      }),
    findToken: (userId, name) =>
      guard(async () => {
        const row = await one(
          `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = $1 AND t.name = $2`,
          [userId, name],
        );
        return row === undefined ? undefined : parseToken(row);
      }),
    listTokens: (query: TokenQuery) =>
      guard(async () => {
        const where: string[] = [];
        const values: unknown[] = [];
        const param = (value: unknown) => {
          values.push(value);
          return `$${values.length}`;
        };
        if (query.userId !== undefined) where.push(`t.user_id = ${param(query.userId)}`);
        if (query.type) where.push(`t.type = ${param(query.type)}`);
        if (query.status === 'active') where.push(`t.expires_at > ${param(query.now)}`);
        if (query.status === 'expired') where.push(`t.expires_at <= ${param(query.now)}`);
        const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
        const filterValues = [...values];
        const limit = query.limit < 0 ? 'ALL' : param(query.limit);
        // The page's ids first, from the tokens index alone; the owner is joined for those rows only.
        const page = await rows(
          `SELECT ${TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id
           WHERE t.id IN (
             SELECT t.id FROM tokens t ${filter}
             ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit} OFFSET ${param(query.offset)})
           ORDER BY t.created_at DESC, t.id DESC`,
          values,
        );
        const total = v.parse(
          v.object({ n: v.number() }),
          await one(`SELECT count(*) AS n FROM tokens t ${filter}`, filterValues),
        ).n;
        return { items: page.map(parseToken), total };
      }),
    updateToken: (id, patch) =>
      guard(() => {
        const columns: Record<string, unknown> = {};
        if (patch.savedAt !== undefined) columns.saved_at = patch.savedAt;
        if (patch.description !== undefined) columns.description = patch.description;
        if (patch.enabled !== undefined) columns.enabled = patch.enabled;
        if (patch.restricted !== undefined) columns.restricted = patch.restricted;
        if (patch.permissions !== undefined) columns.permissions = patch.permissions;
        if (patch.expiresAt !== undefined) columns.expires_at = patch.expiresAt;
        return notifying(staleAfter.token(id), (client) => updateRow('tokens', id, columns, client));
      }),
    deleteToken: (id) =>
      guard(() =>
        notifying(
          staleAfter.token(id),
          async (client) => (await count('DELETE FROM tokens WHERE id = $1', [id], client)) === 1,
        ),
      ),
    markTokensUsed: (uses) =>
      guard(async () => {
        if (uses.length === 0) return;
        await query(
          pool,
          `UPDATE tokens SET last_used_at = u.at FROM unnest($1::bigint[], $2::bigint[]) AS u(id, at)
           WHERE tokens.id = u.id AND (tokens.last_used_at IS NULL OR tokens.last_used_at < u.at)`,
          [uses.map((use) => use.id), uses.map((use) => use.at)],
        );
      }),
    deleteSessionTokensOf: (userId, keepTokenId) =>
      guard(() =>
        notifying(staleAfter.user(userId), (client) =>
          count(
            `DELETE FROM tokens WHERE user_id = $1 AND type = 'SESSION' AND id IS DISTINCT FROM $2`,
            [userId, keepTokenId ?? null],
            client,
          ),
        ),
      ),
    deleteExpiredSessionTokens: (expiredBefore, limit) =>
      guard(() =>
        count(
          `DELETE FROM tokens WHERE id IN (
             SELECT id FROM tokens WHERE type = 'SESSION' AND expires_at <= $1 LIMIT $2)`,
          [expiredBefore, limit],
        ),
      ),

    createRepository: (repository) =>
      guard(async () =>
        v.parse(
          RepositoryRowSchema,
          await one(
            'INSERT INTO repositories (name, description, owner_id, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
            [repository.name, repository.description, repository.ownerId, repository.createdAt],
          ),
        ),
      ),
    listRepositories: () =>
      guard(async () =>
        (await rows('SELECT * FROM repositories ORDER BY name')).map((row) =>
          v.parse(RepositoryRowSchema, row),
        ),
      ),
    findRepository: (name) =>
      guard(async () => {
        const row = await one('SELECT * FROM repositories WHERE name = $1', [name]);
        return row === undefined ? undefined : v.parse(RepositoryRowSchema, row);
      }),
    listOwnedRepositoryNames: (userId) =>
      guard(async () =>
        (await rows('SELECT name FROM repositories WHERE owner_id = $1 ORDER BY name', [userId])).map(
          (row) => v.parse(v.object({ name: v.string() }), row).name,
        ),
      ),
    deleteRepository: (id) =>
      guard(async () => (await count('DELETE FROM repositories WHERE id = $1', [id])) === 1),

    createItem: (item) =>
      guard(async () =>
        v.parse(
          ItemRowSchema,
          await one(
            `INSERT INTO items (repository_id, name, type, content_type, size, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ITEM_COLUMNS}`,
            [
              item.repositoryId,
              item.name,
              item.type,
              item.contentType,
              item.content.byteLength,
              Buffer.from(item.content),
              item.createdAt,
            ],
          ),
        ),
      ),
    listItems: (repositoryId, type) =>
      guard(async () => {
        const found =
          type === undefined
            ? await rows(`SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = $1 ORDER BY name`, [
                repositoryId,
              ])
            : await rows(
                `SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = $1 AND type = $2 ORDER BY name`,
                [repositoryId, type],
              );
        return found.map((row) => v.parse(ItemRowSchema, row));
      }),
    findItem: (repositoryId, name) =>
      guard(async () => {
        const row = await one(`SELECT ${ITEM_COLUMNS} FROM items WHERE repository_id = $1 AND name = $2`, [
          repositoryId,
          name,
        ]);
        return row === undefined ? undefined : v.parse(ItemRowSchema, row);
      }),
    readItemContent: (id) =>
      guard(async () => {
        const row = await one('SELECT content FROM items WHERE id = $1', [id]);
        if (row === undefined) return undefined;
        const { content } = v.parse(v.object({ content: v.instance(Buffer) }), row);
        return new Uint8Array(content);
      }),
    deleteItem: (id) => guard(async () => (await count('DELETE FROM items WHERE id = $1', [id])) === 1),

    bumpSignInStreak: (key, nowMs, forgetAfterMs) =>
      guard(async () => {
        const row = await one(
          `INSERT INTO sign_in_streaks (key, failures, last_failure, blocked_until) VALUES ($1, 1, $2, 0)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN $2 - sign_in_streaks.last_failure > $3 THEN 1 ELSE sign_in_streaks.failures + 1 END,
             last_failure = $2
           RETURNING failures`,
          [key, nowMs, forgetAfterMs],
        );
        return v.parse(v.object({ failures: v.number() }), row).failures;
      }),
    blockSignIn: (key, untilMs) =>
      guard(
        async () =>
          void (await query(pool, 'UPDATE sign_in_streaks SET blocked_until = $1 WHERE key = $2', [
            untilMs,
            key,
          ])),
      ),
    signInBlockedUntil: (keys) =>
      guard(async () => {
        const row = await one('SELECT max(blocked_until) AS until FROM sign_in_streaks WHERE key = ANY($1)', [
          keys,
        ]);
        return v.parse(v.object({ until: v.nullable(v.number()) }), row).until ?? 0;
      }),
    clearSignInStreak: (key) =>
      guard(async () => void (await query(pool, 'DELETE FROM sign_in_streaks WHERE key = $1', [key]))),
    addAccountFailure: (account, atMs) =>
      guard(
        async () =>
          void (await query(pool, 'INSERT INTO account_failures (account, at) VALUES ($1, $2)', [
            account,
            atMs,
          ])),
      ),
    accountFailuresSince: (account, sinceMs, limit) =>
      guard(async () =>
        (
          await rows(
            'SELECT at FROM account_failures WHERE account = $1 AND at > $2 ORDER BY at DESC LIMIT $3',
            [account, sinceMs, limit],
          )
        ).map((row) => v.parse(v.object({ at: v.number() }), row).at),
      ),
    pruneSignInFailures: (beforeMs) =>
      guard(
        async () =>
          (await count('DELETE FROM sign_in_streaks WHERE last_failure < $1 AND blocked_until < $1', [
            beforeMs,
          ])) + (await count('DELETE FROM account_failures WHERE at < $1', [beforeMs])),
      ),

    rememberSignInClient: (key, atMs) =>
      guard(
        async () =>
          void (await query(
            pool,
            `INSERT INTO sign_in_clients (key, last_success) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET
               last_success = greatest(sign_in_clients.last_success, excluded.last_success)`,
            [key, atMs],
          )),
      ),
    signInClientLastSuccess: (key) =>
      guard(async () => {
        const row = await one('SELECT last_success FROM sign_in_clients WHERE key = $1', [key]);
        return row === undefined
          ? undefined
          : v.parse(v.object({ last_success: v.number() }), row).last_success;
      }),
    forgetSignInClients: (beforeMs) =>
      guard(async () => count('DELETE FROM sign_in_clients WHERE last_success < $1', [beforeMs])),

    // A session-level advisory lock: whichever instance holds it runs the task; the others skip this round.
    runExclusive: async (task, work) => {
      const client = await guard(() => pool.connect());
      const key = lockKey(`tokenward:${task}`);
      try {
        const locked = v.parse(
          v.object({ locked: v.boolean() }),
          (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows[0],
        );
        if (!locked.locked) return undefined;
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },

    recordAuditEvents: (events) =>
      guard(async () => {
        if (events.length === 0) return;
        await query(
          pool,
          // The owner's id only while that account exists: an event recorded just after its deletion is kept.
          `INSERT INTO audit_events (at, event, owner_id, owner, token_name, token_type, actor, client, reason)
           SELECT e.at, e.event, (SELECT id FROM users WHERE id = e.owner_id), e.owner, e.token_name,
             e.token_type, e.actor, e.client, e.reason
           FROM unnest($1::bigint[], $2::text[], $9::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[])
             AS e(at, event, owner_id, owner, token_name, token_type, actor, client, reason)`,
          [
            events.map((e) => e.at),
            events.map((e) => e.event),
            events.map((e) => e.owner),
            events.map((e) => e.tokenName),
            events.map((e) => e.tokenType),
            events.map((e) => e.actor),
            events.map((e) => e.client),
            events.map((e) => e.reason),
            events.map((e) => e.ownerId),
          ],
        );
      }),
    listAuditEvents: (query) =>
      guard(async () => {
        const where: string[] = [];
        const values: unknown[] = [];
        if (query.ownerId !== undefined) {
          values.push(query.ownerId);
          where.push(`owner_id = $${values.length}`);
        }
        if (query.tokenName !== undefined) {
          values.push(query.tokenName);
          where.push(`token_name = $${values.length}`);
        }
        const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        const total = v.parse(
          v.object({ n: v.number() }),
          await one(`SELECT count(*) AS n FROM audit_events ${filter}`, values),
        ).n;
        const limit = query.limit < 0 ? 'ALL' : String(Math.floor(query.limit));
        const items = await rows(
          `SELECT * FROM audit_events ${filter} ORDER BY id DESC LIMIT ${limit} OFFSET ${Math.floor(query.offset)}`,
          values,
        );
        return { items: items.map((row) => v.parse(AuditRowSchema, row)), total };
      }),
  };
}

const CHANNEL = 'tokenward_invalidate';

/**
 * Invalidation over LISTEN/NOTIFY. A dedicated connection listens; while it is down, subscribers are told
 * messages may be missed (onLive(false)) and it reconnects with a growing pause.
 */
function createNotifyChannel(url: string): Invalidations {
  return {
    subscribe(onSubject, onLive) {
      let stopped = false;
      let client: pg.Client | undefined;
      let pause = 100;
      const connect = async () => {
        if (stopped) return;
        const next = new pg.Client({ connectionString: url, keepAlive: true });
        let gone = false;
        const lost = () => {
          // 'error' and 'end' may both come for one lost connection: reconnect once.
          if (gone) return;
          gone = true;
          onLive(false);
          next.removeAllListeners();
          next.end().catch(() => {});
          if (!stopped) setTimeout(connect, pause).unref();
          pause = Math.min(pause * 2, 5000);
        };
        next.on('error', lost);
        next.on('end', () => {
          if (!stopped) lost();
        });
        next.on('notification', (message) => {
          if (message.channel === CHANNEL && message.payload) onSubject(message.payload);
        });
        try {
          await next.connect();
          await next.query(`LISTEN ${CHANNEL}`);
          client = next;
          pause = 100;
          onLive(true);
        } catch {
          lost();
        }
      };
      onLive(false);
      void connect();
      return () => {
        stopped = true;
        client?.end().catch(() => {});
      };
    },
  };
}

/** Applies missing migrations under an advisory lock, so instances starting together migrate once. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey('tokenward:migrate')]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const applied =
      v.parse(
        v.object({ version: v.nullable(v.number()) }),
        (await client.query('SELECT max(version) AS version FROM schema_migrations')).rows[0],
      ).version ?? 0;
    if (applied > MIGRATIONS.length) {
      throw new Error(`its schema version ${applied} is newer than this server knows (${MIGRATIONS.length})`);
    }
    for (const [index, migration] of MIGRATIONS.entries()) {
      if (index < applied) continue;
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        index + 1,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
