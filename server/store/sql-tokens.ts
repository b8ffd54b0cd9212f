// Tokens in the SQL store, one query per method for both dialects; the rules they keep are in sql-rules.ts.
import { type ExpressionBuilder, sql } from 'kysely';
import * as v from 'valibot';
import { TokenTypeSchema } from '../../shared/schemas/token';
import { insertAuditEvents } from './sql-audit';
import { affected, countOf, type Db, rowsAffected, type SqlDialect, type Tables } from './sql-dialect';
import type { Rules } from './sql-rules';
import {
  AccountChangedError,
  type AuditEvents,
  type NewToken,
  staleAfter,
  TokenLimitError,
  type TokenQuery,
  type TokenRecord,
  type TokenStore,
} from './store';

type WriteStatement = NonNullable<SqlDialect['writeStatement']>;

// The owner's columns travel with the token so verification is a single indexed lookup.
const OWNER_COLUMNS = [
  'u.id as u_id',
  'u.name as u_name',
  'u.password_hash as u_password_hash',
  'u.roles as u_roles',
  'u.enabled as u_enabled',
  'u.created_at as u_created_at',
] as const;

/** Uses per statement: two parameters each, far below either dialect's limit. */
const USES_PER_STATEMENT = 500;

const withOwner = (db: SqlDialect['db']) =>
  db
    .selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('t')
    .select('u.name as owner');

const matching = (query: TokenQuery) => (eb: ExpressionBuilder<{ t: Tables['tokens'] }, 't'>) =>
  eb.and([
    ...(query.userId === undefined ? [] : [eb('t.user_id', '=', query.userId)]),
    ...(query.type ? [eb('t.type', '=', query.type)] : []),
    ...(query.status ? [eb('t.expires_at', query.status === 'active' ? '>' : '<=', query.now)] : []),
    // Newest first: what follows a token is older, or as old with a smaller id.
    ...(query.after
      ? [eb(eb.refTuple('t.created_at', 't.id'), '<', eb.tuple(query.after.createdAt, query.after.id))]
      : []),
  ]);

export function createTokenStore(dialect: SqlDialect, rules: Rules): TokenStore {
  const { db, encode, rows, write, prepared } = dialect;
  const parse = (row: unknown) => v.parse(rows.TokenRowSchema, row);
  const optional = (row: unknown) => (row === undefined ? undefined : parse(row));

  /** How many tokens match, counting no more than `atMost` (an index range of at most that many entries). */
  const countUpTo = async (query: TokenQuery, atMost: number) =>
    countOf(
      (
        await prepared(
          db,
          db
            .selectFrom((inner) =>
              inner
                .selectFrom('tokens as t')
                .select(sql`1`.as('one'))
                .where(matching(query))
                // Every type named, to seek the (owner, type, expiry) or (type, expiry) index type by type.
                .where('t.type', 'in', query.type ? [query.type] : TokenTypeSchema.options)
                .limit(atMost)
                .as('m'),
            )
            .select((eb) => eb.fn.countAll().as('n')),
        )
      )[0],
    );

  /**
   * The kept count of the owner's (or everyone's) tokens of the type. By status, which the clock decides, the
   * expired ones are counted (usually the fewer) up to half of them; when there are more, the active ones are.
   */
  const countTokens = async (query: TokenQuery) => {
    const [kept] = await prepared(
      db,
      db
        .selectFrom('token_counts')
        .select((eb) => eb.fn.sum<number>('n').as('n'))
        .$if(query.userId !== undefined, (qb) => qb.where('user_id', '=', query.userId ?? 0))
        .$if(query.type !== undefined, (qb) => qb.where('type', '=', query.type ?? '')),
    );
    const total = kept?.n == null ? 0 : countOf(kept);
    if (query.status === undefined || total === 0) return total;
    const half = Math.ceil(total / 2);
    const whole = { ...query, after: undefined };
    let expired = await countUpTo({ ...whole, status: 'expired' }, half);
    if (expired === half) expired = total - (await countUpTo({ ...whole, status: 'active' }, total));
    return query.status === 'expired' ? expired : total - expired;
  };

  /**
   * Inserts the token in the transaction `trx`; the new record, with its owner's name (read with it, unless the
   * caller has it from the owner's locked row).
   */
  async function insert(trx: Db, token: NewToken, owner?: string): Promise<TokenRecord> {
    const inserted = trx.insertInto('tokens').values({
      user_id: token.userId,
      name: token.name,
      description: token.description,
      type: token.type,
      source: token.source,
      digest: token.digest,
      enabled: encode.flag(token.enabled),
      restricted: encode.flag(token.restricted),
      permissions: encode.strings(token.permissions),
      created_at: token.createdAt,
      saved_at: token.savedAt,
      expires_at: token.expiresAt,
    });
    if (owner !== undefined) {
      const [row] = await prepared(trx, inserted.returningAll());
      return parse({ ...row, owner });
    }
    const { id } = await inserted.returning('id').executeTakeFirstOrThrow();
    return parse(await withOwner(trx).where('t.id', '=', id).executeTakeFirst());
  }

  /**
   * PostgreSQL: a capped create as one statement, committed on its own. It reads the owner under a key-share lock
   * (no removal meanwhile, no wait for other creates), then locks the owner's kept count of API tokens (made at 0
   * for their first) and reads it as last committed, inserts the token only while that count is under the cap,
   * and its events only with it; the counting trigger raises the count at the statement's end. A create
   * anywhere else waits for the count's lock and then reads the new count. One round trip instead of six, and
   * the count is held for no more than the statement.
   */
  const createCapped = async (
    token: NewToken,
    max: number,
    audit: AuditEvents,
    writeStatement: WriteStatement,
  ) => {
    // The events in order (`i`), each with its owner's id, which is kept only while that account exists.
    const events =
      audit.length === 0
        ? sql`SELECT NULL::int, NULL::bigint, NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text WHERE FALSE`
        : sql`VALUES ${sql.join(
            audit.map(
              (e, i) =>
                sql`(${i}::int, ${e.at}::bigint, ${e.event}::text, ${e.ownerId ?? null}::bigint, ${e.owner}::text, ${e.tokenName}::text, ${e.tokenType ?? ''}::text, ${e.actor}::text, ${e.client}::text, ${e.reason}::text)`,
            ),
          )}`;
    const [row] = await writeStatement(
      (notify) => sql<{ owner_name: unknown; held: unknown; notified: unknown; id: unknown }>`
        WITH owner AS (SELECT id, name FROM users WHERE id = ${token.userId} FOR KEY SHARE),
        held AS (
          INSERT INTO token_counts (user_id, type, n) SELECT id, 'USER', 0 FROM owner
          ON CONFLICT (user_id, type) DO UPDATE SET n = token_counts.n
          RETURNING n
        ),
        token AS (
          INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
            created_at, saved_at, expires_at)
          SELECT ${token.userId}, ${token.name}, ${token.description}, ${token.type}, ${token.source}, ${token.digest},
            ${token.enabled}, ${token.restricted}, ${[...token.permissions]}::text[], ${token.createdAt},
            ${token.savedAt}, ${token.expiresAt}
          FROM held WHERE held.n < ${max}
          RETURNING *
        ),
        audit AS (
          INSERT INTO audit_events (at, event, owner_id, owner, token_name, token_type, actor, client, reason)
          SELECT e.at, e.event, (SELECT id FROM users WHERE id = e.owner_id), e.owner, e.token_name, e.token_type,
            e.actor, e.client, e.reason
          FROM token, (${events}) AS e(i, at, event, owner_id, owner, token_name, token_type, actor, client, reason)
          ORDER BY e.i
        )
        SELECT token.*, owner.name AS owner_name, held.n AS held, ${notify} AS notified
        FROM owner CROSS JOIN held LEFT JOIN token ON TRUE`,
      staleAfter.createToken(token.digest),
    );
    if (row === undefined) throw new AccountChangedError('The account is gone.');
    const { owner_name: owner, held, notified: _, ...inserted } = row;
    if (inserted.id === null) {
      const count = countOf({ n: held });
      throw new TokenLimitError(max, count);
    }
    return parse({ ...inserted, owner });
  };

  return {
    createToken: (token, options = {}) =>
      options.maxApiTokens !== undefined && token.type === 'USER' && dialect.writeStatement
        ? createCapped(token, options.maxApiTokens, options.audit ?? [], dialect.writeStatement)
        : write(async (trx) => {
            const owner =
              options.maxApiTokens !== undefined && token.type === 'USER'
                ? await rules.holdTokenLimit(trx, token.userId, options.maxApiTokens)
                : undefined;
            const record = await insert(trx, token, owner);
            await insertAuditEvents(trx, options.audit ?? []);
            return record;
          }, staleAfter.createToken(token.digest)),
    createSession: (session, signIn) =>
      write(
        async (trx) => {
          const owner = await rules.checkSignIn(trx, session.userId, signIn.passwordHash);
          const ended = await rules.sessionsToEnd(trx, session.userId, signIn.maxSessions, session.createdAt);
          if (ended.length > 0) {
            const ids = ended.map((token) => token.id);
            await trx.deleteFrom('tokens').where('id', 'in', ids).execute();
          }
          const record = await insert(trx, session, owner.name);
          await insertAuditEvents(trx, [signIn.audit.created, ...ended.map(signIn.audit.ended)]);
          return { session: record, ended };
        },
        ({ ended }) => [
          staleAfter.createToken(session.digest),
          ...ended.map((token) => staleAfter.token(token.id)),
        ],
      ),
    findTokenByDigest: async (digest) => {
      const [row] = await prepared(db, withOwner(db).select(OWNER_COLUMNS).where('t.digest', '=', digest));
      if (row === undefined) return undefined;
      const owner = Object.entries(row).filter(([key]) => key.startsWith('u_'));
      return {
        token: parse(row),
        owner: v.parse(
          rows.UserRowSchema,
          Object.fromEntries(owner.map(([key, value]) => [key.slice(2), value])),
        ),
      };
    },
    findToken: async (userId, name) =>
      optional(
        await withOwner(db).where('t.user_id', '=', userId).where('t.name', '=', name).executeTakeFirst(),
      ),
    listTokens: async (query) => {
      // The page's ids first, from the tokens index alone (one more than asked, to know whether a next page
      // exists); the owner is joined for those rows only. Joining before OFFSET would look up every skipped owner.
      const limit = query.limit < 0 ? Number.MAX_SAFE_INTEGER : query.limit + 1;
      const page = db
        .selectFrom('tokens as t')
        .select('t.id')
        .where(matching(query))
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(limit)
        .offset(query.offset);
      // A page of none (limit=0, asked for the count alone) reads no tokens.
      const newest = withOwner(db)
        .where('t.id', 'in', page)
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc');
      const rows = query.limit === 0 ? [] : await prepared(db, newest);
      const items = rows.slice(0, query.limit < 0 ? undefined : query.limit).map(parse);
      const last = items.at(-1);
      const next =
        rows.length > items.length && last ? { createdAt: last.createdAt, id: last.id } : undefined;
      return { items, total: await countTokens(query), next };
    },
    updateToken: (id, patch, audit = []) =>
      write(async (trx) => {
        // `id = id` too: with nothing else to set, the update still tells whether the token exists.
        const set = {
          id,
          ...(patch.savedAt !== undefined && { saved_at: patch.savedAt }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.enabled !== undefined && { enabled: encode.flag(patch.enabled) }),
          ...(patch.restricted !== undefined && { restricted: encode.flag(patch.restricted) }),
          ...(patch.permissions !== undefined && { permissions: encode.strings(patch.permissions) }),
          ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
        };
        const updated = affected(
          await trx.updateTable('tokens').set(set).where('id', '=', id).executeTakeFirst(),
        );
        if (updated) await insertAuditEvents(trx, audit);
        // A lease never outlives a disable or a change of its parent's permissions (it would revive or narrow).
        if (updated && (patch.enabled === false || patch.restricted !== undefined || patch.permissions))
          await trx.deleteFrom('leases').where('parent_id', '=', id).execute();
        return updated;
      }, staleAfter.token(id)),
    deleteToken: (id, audit = []) =>
      write(async (trx) => {
        const deleted = affected(await trx.deleteFrom('tokens').where('id', '=', id).executeTakeFirst());
        if (deleted) await insertAuditEvents(trx, audit);
        return deleted;
      }, staleAfter.token(id)),
    markTokensUsed: async (uses) => {
      // One row per token, its latest use: an UPDATE … FROM takes any one of several matching rows.
      const latest = new Map<number, number>();
      for (const { id, at } of uses) latest.set(id, Math.max(at, latest.get(id) ?? at));
      const rows = [...latest].map(([id, at]) => ({ id, at }));
      if (rows.length === 0) return;
      await write(async (trx) => {
        for (let start = 0; start < rows.length; start += USES_PER_STATEMENT) {
          // A VALUES list with named columns, typed so PostgreSQL compares numbers (SQLite takes the cast too).
          // The IN (…) lets SQLite look tokens up by id; without it, UPDATE … FROM scans the whole table.
          const values = sql.join(
            rows
              .slice(start, start + USES_PER_STATEMENT)
              .map(({ id, at }) => sql`(CAST(${id} AS BIGINT), CAST(${at} AS BIGINT))`),
          );
          await sql`WITH uses (id, at) AS (VALUES ${values})
            UPDATE tokens SET last_used_at = uses.at FROM uses
            WHERE tokens.id = uses.id AND tokens.id IN (SELECT id FROM uses)
              AND (tokens.last_used_at IS NULL OR tokens.last_used_at < uses.at)`.execute(trx);
        }
      });
    },
    deleteSessionTokensOf: (userId, keepTokenId) =>
      write(
        async (trx) =>
          rowsAffected(
            await trx
              .deleteFrom('tokens')
              .where('user_id', '=', userId)
              .where('type', '=', 'SESSION')
              .$if(keepTokenId !== undefined, (qb) => qb.where('id', '!=', keepTokenId ?? 0))
              .executeTakeFirst(),
          ),
        staleAfter.user(userId),
      ),
    deleteExpiredSessionTokens: (expiredBefore, limit) =>
      write(async (trx) =>
        rowsAffected(
          await trx
            .deleteFrom('tokens')
            .where(
              'id',
              'in',
              trx
                .selectFrom('tokens')
                .select('id')
                .where('type', '=', 'SESSION')
                .where('expires_at', '<=', expiredBefore)
                .limit(limit),
            )
            .executeTakeFirst(),
        ),
      ),

    // ---- The token cache's loader --------------------------------------------------------------
    listCacheableTokens: async ({ afterId, limit, now }) => {
      const found = await prepared(
        db,
        db
          .selectFrom('tokens')
          .select(CACHEABLE_COLUMNS)
          .where('id', '>', afterId)
          .where('expires_at', '>', now)
          .orderBy('id')
          .limit(limit),
      );
      const tokens = found.map((row) => v.parse(rows.CacheableTokenRowSchema, row));
      const userIds = [...new Set(tokens.map((token) => token.userId))];
      const owners =
        userIds.length === 0
          ? []
          : await db.selectFrom('users').selectAll().where('id', 'in', userIds).execute();
      return { tokens, owners: owners.map((row) => v.parse(rows.UserRowSchema, row)) };
    },
  };
}

// ---- The token cache's loader ------------------------------------------------------------------

const CACHEABLE_COLUMNS = [
  'id',
  'user_id',
  'name',
  'digest',
  'type',
  'source',
  'enabled',
  'restricted',
  'permissions',
  'created_at',
  'expires_at',
  'last_used_at',
] as const;
