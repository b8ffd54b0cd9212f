// Tokens in the SQL store, one query per method for both dialects.
import { type ExpressionBuilder, sql } from 'kysely';
import * as v from 'valibot';
import { TokenSourceSchema, TokenTypeSchema } from '../../shared/schemas/token';
import { affected, countOf, type Db, rowsAffected, type SqlDialect, type Tables } from './sql-dialect';
import { type CacheableToken, staleAfter, type TokenQuery, type TokenStore } from './store';

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

const withOwner = (db: Db) =>
  db
    .selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('t')
    .select('u.name as owner');

const matching = (query: TokenQuery) => (eb: ExpressionBuilder<{ t: Tables['tokens'] }, 't'>) =>
  eb.and([
    ...(query.userId === undefined ? [] : [eb('t.user_id', '=', query.userId)]),
    ...(query.type ? [eb('t.type', '=', query.type)] : []),
    ...(query.status === 'active' ? [eb('t.expires_at', '>', query.now)] : []),
    ...(query.status === 'expired' ? [eb('t.expires_at', '<=', query.now)] : []),
  ]);

export function createTokenStore({ db, encode, rows, write }: SqlDialect): TokenStore {
  const parse = (row: unknown) => v.parse(rows.TokenRowSchema, row);
  const optional = (row: unknown) => (row === undefined ? undefined : parse(row));
  return {
    createToken: (token) =>
      write(async (trx) => {
        const { id } = await trx
          .insertInto('tokens')
          .values({
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
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return parse(await withOwner(trx).where('t.id', '=', id).executeTakeFirst());
      }, staleAfter.createToken(token.digest)),
    findTokenByDigest: async (digest) => {
      const row = await withOwner(db).select(OWNER_COLUMNS).where('t.digest', '=', digest).executeTakeFirst();
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
      // The page's ids first, from the tokens index alone; the owner is joined for those rows only. Joining
      // before OFFSET would look up the owner of every skipped row.
      const page = db
        .selectFrom('tokens as t')
        .select('t.id')
        .where(matching(query))
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(query.limit < 0 ? Number.MAX_SAFE_INTEGER : query.limit)
        .offset(query.offset);
      const items = await withOwner(db)
        .where('t.id', 'in', page)
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .execute();
      const total = await db
        .selectFrom('tokens as t')
        .select((eb) => eb.fn.countAll().as('n'))
        .where(matching(query))
        .executeTakeFirst();
      return { items: items.map(parse), total: countOf(total) };
    },
    updateToken: (id, patch) =>
      write(async (trx) => {
        const set = {
          ...(patch.savedAt !== undefined && { saved_at: patch.savedAt }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.enabled !== undefined && { enabled: encode.flag(patch.enabled) }),
          ...(patch.restricted !== undefined && { restricted: encode.flag(patch.restricted) }),
          ...(patch.permissions !== undefined && { permissions: encode.strings(patch.permissions) }),
          ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
        };
        if (Object.keys(set).length === 0)
          return (
            (await trx.selectFrom('tokens').select('id').where('id', '=', id).executeTakeFirst()) !==
            undefined
          );
        return affected(await trx.updateTable('tokens').set(set).where('id', '=', id).executeTakeFirst());
      }, staleAfter.token(id)),
    deleteToken: (id) =>
      write(
        async (trx) => affected(await trx.deleteFrom('tokens').where('id', '=', id).executeTakeFirst()),
        staleAfter.token(id),
      ),
    markTokensUsed: async (uses) => {
      // One row per token, its latest use: an UPDATE … FROM takes any one of several matching rows.
      const latest = new Map<number, number>();
      for (const { id, at } of uses) latest.set(id, Math.max(at, latest.get(id) ?? at));
      const rows = [...latest].map(([id, at]) => ({ id, at }));
      if (rows.length === 0) return;
      await write(async (trx) => {
        for (let start = 0; start < rows.length; start += USES_PER_STATEMENT) {
          // A VALUES list with named columns, typed so PostgreSQL compares numbers (SQLite takes the cast too).
          const values = sql.join(
            rows
              .slice(start, start + USES_PER_STATEMENT)
              .map(({ id, at }) => sql`(CAST(${id} AS BIGINT), CAST(${at} AS BIGINT))`),
          );
          await sql`WITH uses (id, at) AS (VALUES ${values})
            UPDATE tokens SET last_used_at = uses.at FROM uses
            WHERE tokens.id = uses.id AND (tokens.last_used_at IS NULL OR tokens.last_used_at < uses.at)`.execute(
            trx,
          );
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

    // ---- The token cache's loader (issue 17) --------------------------------------------------------------
    listCacheableTokens: async ({ afterId, limit, now }) => {
      const found = await db
        .selectFrom('tokens')
        .select(CACHEABLE_COLUMNS)
        .where('id', '>', afterId)
        .where('expires_at', '>', now)
        .orderBy('id')
        .limit(limit)
        .execute();
      const tokens = found.map((row) => v.parse(CacheableRowSchema, row));
      const userIds = [...new Set(tokens.map((token) => token.userId))];
      const owners =
        userIds.length === 0
          ? []
          : await db.selectFrom('users').selectAll().where('id', 'in', userIds).execute();
      return { tokens, owners: owners.map((row) => v.parse(rows.UserRowSchema, row)) };
    },
  };
}

// ---- The token cache's loader (issue 17) ------------------------------------------------------------------

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

// A pass reads every active token, so its rows are checked flat, without the record schemas' per-key renaming
// (a few times slower). Both dialects' forms are taken: 0/1 or a boolean, JSON text or an array.
const CacheableFlagSchema = v.union([
  v.boolean(),
  v.pipe(
    v.picklist([0, 1]),
    v.transform((n) => n === 1),
  ),
]);
const CacheableStringsSchema = v.union([
  v.array(v.string()),
  v.pipe(v.string(), v.parseJson(), v.array(v.string())),
]);
const CacheableRowSchema = v.pipe(
  v.object({
    id: v.number(),
    user_id: v.number(),
    name: v.string(),
    digest: v.string(),
    type: TokenTypeSchema,
    source: TokenSourceSchema,
    enabled: CacheableFlagSchema,
    restricted: CacheableFlagSchema,
    permissions: CacheableStringsSchema,
    created_at: v.number(),
    expires_at: v.number(),
    last_used_at: v.nullable(v.number()),
  }),
  v.transform(
    (row): CacheableToken => ({
      id: row.id,
      userId: row.user_id,
      name: row.name,
      digest: row.digest,
      type: row.type,
      source: row.source,
      enabled: row.enabled,
      restricted: row.restricted,
      permissions: row.permissions,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
    }),
  ),
);
