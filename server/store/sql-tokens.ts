// Tokens in the SQL store, one query per method for both dialects; the rules they keep are in sql-rules.ts.
import { type ExpressionBuilder, sql } from 'kysely';
import * as v from 'valibot';
import { TokenTypeSchema } from '../../shared/schemas/token';
import { addressBlock, clientFamily } from '../tokens/use-origin';
import { insertAuditEvents } from './sql-audit';
import { affected, countOf, type Db, rowsAffected, type SqlDialect, type Tables } from './sql-dialect';
import type { Rules } from './sql-rules';
import {
  AccountChangedError,
  type AuditEvents,
  type CacheableTokens,
  type NewToken,
  staleAfter,
  TokenLimitError,
  type TokenQuery,
  type TokenRecord,
  type TokenStore,
} from './store';

type WriteStatement = NonNullable<SqlDialect['writeStatement']>;
type WriteNow = NonNullable<SqlDialect['writeNow']>;

// A capped create on SQLite (createCappedNow below): the statements, each prepared once.
const OWNER_NAME = 'SELECT name FROM users WHERE id = ?';
const HELD_API_TOKENS = "SELECT n FROM token_counts WHERE user_id = ? AND type = 'USER'";
const INSERT_TOKEN = `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted,
    permissions, created_at, saved_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
// As insertAuditEvents (sql-audit.ts): the owner's id only while that account exists.
const INSERT_EVENT = `INSERT INTO audit_events (at, event, owner_id, owner, token_name, token_type, actor, client,
    reason) VALUES (?, ?, (SELECT id FROM users WHERE id = ?), ?, ?, ?, ?, ?, ?)`;
const OwnerNameSchema = v.object({ name: v.string() });
const HeldSchema = v.object({ n: v.number() });
/** better-sqlite3's result of an INSERT: the new row's id without a RETURNING clause to read it back. */
const InsertedSchema = v.object({ lastInsertRowid: v.number() });

// The owner's columns travel with the token so verification is a single indexed lookup.
const OWNER_COLUMNS = [
  'u.id as u_id',
  'u.name as u_name',
  'u.password_hash as u_password_hash',
  'u.roles as u_roles',
  'u.enabled as u_enabled',
  'u.created_at as u_created_at',
] as const;

/** Uses per statement: four parameters each, far below either dialect's limit. */
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
      exposed_at: token.exposedAt ?? null,
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
   * and its events only with it; the counting trigger raises the count at the statement's end. At the cap the
   * count is locked but not rewritten, and nothing is announced to the other instances. A create
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
          ON CONFLICT (user_id, type) DO UPDATE SET n = token_counts.n WHERE token_counts.n < ${max}
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
        SELECT token.*, owner.name AS owner_name,
          COALESCE(held.n, (SELECT n FROM token_counts WHERE user_id = owner.id AND type = 'USER')) AS held,
          CASE WHEN token.id IS NOT NULL THEN ${notify} END AS notified
        FROM owner LEFT JOIN held ON TRUE LEFT JOIN token ON TRUE`,
      staleAfter.createToken(token.digest),
    );
    if (row === undefined) throw new AccountChangedError('The account is gone.');
    const { owner_name: owner, held, notified: _, ...inserted } = row;
    // Refused, the count is read as this statement saw it, which may be older than the locked row: it said
    // no, so it held at least the cap.
    if (inserted.id === null)
      throw new TokenLimitError(max, Math.max(max, held === null ? 0 : countOf({ n: held })));
    return parse({ ...inserted, owner });
  };

  /**
   * SQLite: a capped create as a few statements prepared once, run at once in a transaction that holds the whole
   * database (no other write runs until it commits; creates that arrive together run one after another in it, each
   * seeing those before it, each in its own savepoint): the owner (gone: AccountChangedError), their kept
   * count of API tokens (at the cap: TokenLimitError), the token (the counting trigger raises the count), its
   * events. The same rule as holdTokenLimit, without building and compiling four queries on every create. The
   * record is the row as inserted (the columns not given are all empty on a new token) with the id it was given.
   */
  const createCappedNow = (token: NewToken, max: number, audit: AuditEvents, writeNow: WriteNow) =>
    writeNow((statement): TokenRecord => {
      const owner = statement(OWNER_NAME).get(token.userId);
      if (owner === undefined) throw new AccountChangedError('The account is gone.');
      const held = statement(HELD_API_TOKENS).get(token.userId);
      const count = held === undefined ? 0 : v.parse(HeldSchema, held).n;
      if (count >= max) throw new TokenLimitError(max, count);
      const inserted = statement(INSERT_TOKEN).run(
        token.userId,
        token.name,
        token.description,
        token.type,
        token.source,
        token.digest,
        encode.flag(token.enabled),
        encode.flag(token.restricted),
        encode.strings(token.permissions),
        token.createdAt,
        token.savedAt,
        token.expiresAt,
      );
      const insertEvent = statement(INSERT_EVENT);
      for (const e of audit) {
        insertEvent.run(
          e.at,
          e.event,
          e.ownerId ?? -1,
          e.owner,
          e.tokenName,
          e.tokenType ?? '',
          e.actor,
          e.client,
          e.reason,
        );
      }
      return {
        ...token,
        permissions: [...token.permissions],
        id: v.parse(InsertedSchema, inserted).lastInsertRowid,
        owner: v.parse(OwnerNameSchema, owner).name,
        lastUsedAt: null,
        lastUsedAddress: null,
        lastUsedClient: null,
        exposedAt: null,
      };
    });

  return {
    createToken: (token, options = {}) => {
      const { maxApiTokens, audit = [] } = options;
      if (maxApiTokens !== undefined && token.type === 'USER') {
        if (dialect.writeStatement) return createCapped(token, maxApiTokens, audit, dialect.writeStatement);
        if (dialect.writeNow) return createCappedNow(token, maxApiTokens, audit, dialect.writeNow);
      }
      return write(async (trx) => {
        const owner =
          maxApiTokens !== undefined && token.type === 'USER'
            ? await rules.holdTokenLimit(trx, token.userId, maxApiTokens)
            : undefined;
        const record = await insert(trx, token, owner);
        await insertAuditEvents(trx, audit);
        return record;
      }, staleAfter.createToken(token.digest));
    },
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
      // The page and its count at once: on PostgreSQL they are two round trips on two connections of the pool.
      const [rows, total] = await Promise.all([
        query.limit === 0 ? [] : prepared(db, newest),
        countTokens(query),
      ]);
      const items = rows.slice(0, query.limit < 0 ? undefined : query.limit).map(parse);
      const last = items.at(-1);
      const next =
        rows.length > items.length && last ? { createdAt: last.createdAt, id: last.id } : undefined;
      return { items, total, next };
    },
    updateToken: (id, patch, audit = []) =>
      write(async (trx) => {
        await rules.lockOwnersOfTokens(trx, { ids: [id] });
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
        await rules.lockOwnersOfTokens(trx, { ids: [id] });
        const deleted = affected(await trx.deleteFrom('tokens').where('id', '=', id).executeTakeFirst());
        if (deleted) await insertAuditEvents(trx, audit);
        return deleted;
      }, staleAfter.token(id)),
    markTokensUsed: async (uses) => {
      // Described here, when written, not on the request that made the use.
      const described = uses.map(({ id, at, address, userAgent, copied }) => ({
        id,
        at,
        address: copied ? copied.address : addressBlock(address),
        client: copied
          ? copied.client
          : address === undefined && userAgent === undefined
            ? null
            : clientFamily(userAgent),
        announce: copied === undefined,
      }));
      // One row per token, its latest use: an UPDATE … FROM takes any one of several matching rows.
      const latest = new Map<number, (typeof described)[number]>();
      for (const use of described) {
        const seen = latest.get(use.id);
        if (seen === undefined || seen.at <= use.at) latest.set(use.id, use);
      }
      const rows = [...latest.values()].sort((a, b) => a.id - b.id);
      if (rows.length === 0) return;
      await write(async (trx) => {
        // Before the tokens' rows: an announced new address locks its owner's row first (sql-rules.ts's order).
        const fresh = await unknownAddresses(trx, described, dialect.locksRows);
        for (const slice of slices(rows, USES_PER_STATEMENT)) {
          // A VALUES list with named columns, typed so PostgreSQL compares numbers (SQLite takes the cast too).
          // The IN (…) lets SQLite look tokens up by id; without it, UPDATE … FROM scans the whole table.
          const values = sql.join(
            slice.map(
              ({ id, at, address, client }) =>
                sql`(CAST(${id} AS BIGINT), CAST(${at} AS BIGINT), CAST(${address} AS TEXT), CAST(${client} AS TEXT))`,
            ),
          );
          // A use from elsewhere in the same second as the last one still says where it came from.
          await sql`WITH uses (id, at, address, client) AS (VALUES ${values})
            UPDATE tokens SET last_used_at = uses.at,
              last_used_address = CASE WHEN uses.client IS NULL THEN tokens.last_used_address ELSE uses.address END,
              last_used_client = COALESCE(uses.client, tokens.last_used_client)
            FROM uses
            WHERE tokens.id = uses.id AND tokens.id IN (SELECT id FROM uses)
              AND (tokens.last_used_at IS NULL OR tokens.last_used_at < uses.at
                OR (tokens.last_used_at = uses.at AND uses.client IS NOT NULL))`.execute(trx);
        }
        await noteNewAddresses(trx, fresh, dialect.locksRows);
      });
    },
    listTokenAddresses: async (tokenId) =>
      (
        await db
          .selectFrom('token_addresses')
          .select(['address', 'first_used_at'])
          .where('token_id', '=', tokenId)
          .orderBy('first_used_at')
          .orderBy('address')
          .execute()
      ).map((row) => ({ address: row.address, firstUsedAt: Number(row.first_used_at) })),
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
    listCacheableTokens: async ({ afterId, limit, now }) =>
      withOwners(
        await prepared(
          db,
          db
            .selectFrom('tokens')
            .select(CACHEABLE_COLUMNS)
            .where('id', '>', afterId)
            .where('expires_at', '>', now)
            .orderBy('id')
            .limit(limit),
        ),
      ),
    findCacheableTokens: async (ids, now) =>
      ids.length === 0
        ? { tokens: [], owners: [] }
        : withOwners(
            await db
              .selectFrom('tokens')
              .select(CACHEABLE_COLUMNS)
              .where('id', 'in', [...ids])
              .where('expires_at', '>', now)
              .orderBy('id')
              .execute(),
          ),
    listTokenChanges: async (afterSeq, limit) => {
      // Each end on its own: SQLite answers a lone min() or max() from the index, both together by a scan.
      const [ends] = await prepared(
        db,
        db.selectNoFrom((eb) => [
          eb
            .selectFrom('token_changes')
            .select((inner) => inner.fn.min('seq').as('n'))
            .as('first'),
          eb
            .selectFrom('token_changes')
            .select((inner) => inner.fn.max('seq').as('n'))
            .as('last'),
        ]),
      );
      const changes = await prepared(
        db,
        db
          .selectFrom('token_changes')
          .select(['seq', 'token_id', 'user_id'])
          .where('seq', '>', afterSeq)
          .orderBy('seq')
          .limit(limit),
      );
      return {
        changes: changes.map((row) => ({
          seq: Number(row.seq),
          tokenId: row.token_id === null ? null : Number(row.token_id),
          userId: row.user_id === null ? null : Number(row.user_id),
        })),
        first: Number(ends?.first ?? 0),
        last: Number(ends?.last ?? 0),
      };
    },
    trimTokenChanges: async (before, limit) =>
      rowsAffected(
        await write((trx) =>
          trx
            .deleteFrom('token_changes')
            .where('seq', 'in', (eb) =>
              eb
                .selectFrom('token_changes')
                .select('seq')
                .where('at', '<', before)
                .where(
                  'seq',
                  '<',
                  eb.selectFrom('token_changes').select((inner) => inner.fn.max('seq').as('m')),
                )
                // By age, from its index: in entry order, a log with nothing that old is read whole to say so.
                .orderBy('at')
                .limit(limit),
            )
            .executeTakeFirst(),
        ),
      ),
  };

  /** Token rows read for the cache, parsed, with each of their owners once. */
  async function withOwners(found: unknown[]): Promise<CacheableTokens> {
    const tokens = found.map((row) => v.parse(rows.CacheableTokenRowSchema, row));
    const userIds = [...new Set(tokens.map((token) => token.userId))];
    const owners =
      userIds.length === 0
        ? []
        : await db.selectFrom('users').selectAll().where('id', 'in', userIds).execute();
    return { tokens, owners: owners.map((row) => v.parse(rows.UserRowSchema, row)) };
  }
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

type DescribedUse = {
  id: number;
  at: number;
  address: string | null;
  client: string | null;
  announce: boolean;
};

/**
 * The earliest use of each token from each address block not yet known for it, in one order for every writer.
 * Most batches have none, and take no lock here. When some may be new, PostgreSQL locks their owners' rows
 * (FOR KEY SHARE, in id order) before the write touches any token row: the audit event references the owner,
 * and writes that lock an owner and then its tokens (minting a lease, disabling a token) must not wait in a
 * cycle with this one.
 */
async function unknownAddresses(
  trx: Db,
  uses: readonly DescribedUse[],
  locksRows: boolean,
): Promise<DescribedUse[]> {
  const earliest = new Map<string, DescribedUse>();
  for (const use of uses) {
    if (use.address === null) continue;
    const key = `${use.id} ${use.address}`;
    const seen = earliest.get(key);
    if (seen === undefined || use.at < seen.at) earliest.set(key, use);
  }
  if (earliest.size === 0) return [];
  const candidates = [...earliest.values()];
  for (const slice of slices(candidates, USES_PER_STATEMENT)) {
    const known = await trx
      .selectFrom('token_addresses')
      .select(['token_id', 'address'])
      .where(
        'token_id',
        'in',
        slice.map((use) => use.id),
      )
      .where(
        'address',
        'in',
        slice.map((use) => use.address as string),
      )
      .execute();
    for (const row of known) earliest.delete(`${Number(row.token_id)} ${row.address}`);
  }
  const fresh = [...earliest.values()].sort(
    (x, y) => x.id - y.id || ((x.address as string) < (y.address as string) ? -1 : 1),
  );
  if (fresh.length > 0 && locksRows) {
    // Owners first found, then locked in the order of their ids (as every writer locks them), a list at a time.
    const owners = new Set<number>();
    for (const slice of slices(fresh, USES_PER_STATEMENT)) {
      const rows = await trx
        .selectFrom('tokens')
        .select('user_id')
        .distinct()
        .where(
          'id',
          'in',
          slice.map((use) => use.id),
        )
        .execute();
      for (const row of rows) owners.add(Number(row.user_id));
    }
    const ordered = [...owners].sort((a, b) => a - b);
    for (const slice of slices(ordered, USES_PER_STATEMENT))
      await trx
        .selectFrom('users')
        .select('id')
        .where('id', 'in', slice)
        .orderBy('id')
        .forKeyShare()
        .execute();
  }
  return fresh;
}

/**
 * Keeps every address block each token was used from, and records the first use from a new one in the audit
 * trail, in the transaction of the uses. The primary key decides which of two writers saw an address first: the
 * other's insert waits for that one to commit, then does nothing and returns nothing, so one event is recorded.
 */
async function noteNewAddresses(trx: Db, fresh: readonly DescribedUse[], locksRows: boolean): Promise<void> {
  if (fresh.length === 0) return;
  const earliest = new Map(fresh.map((use) => [`${use.id} ${use.address}`, use]));
  const added: Array<{ token_id: number; address: string }> = [];
  for (const slice of slices(fresh, USES_PER_STATEMENT)) {
    // Only tokens that still exist (a use may be written after its token was removed); on PostgreSQL held
    // until the commit, so a removal cannot slip in before the insert and fail the whole batch.
    const existing = new Set(
      (
        await trx
          .selectFrom('tokens')
          .select('id')
          .where(
            'id',
            'in',
            slice.map((row) => row.id),
          )
          .$if(locksRows, (query) => query.forKeyShare())
          .execute()
      ).map((row) => Number(row.id)),
    );
    const kept = slice.filter((row) => existing.has(row.id));
    if (kept.length === 0) continue;
    added.push(
      ...(await trx
        .insertInto('token_addresses')
        .values(
          kept.map((row) => ({ token_id: row.id, address: row.address as string, first_used_at: row.at })),
        )
        .onConflict((oc) => oc.columns(['token_id', 'address']).doNothing())
        .returning(['token_id', 'address'])
        .execute()),
    );
  }
  const announced = added.filter(
    ({ token_id, address }) => earliest.get(`${Number(token_id)} ${address}`)?.announce,
  );
  if (announced.length === 0) return;
  const tokens = new Map<number, { user_id: number; name: string; type: string; owner: string }>();
  for (const slice of slices(announced, USES_PER_STATEMENT)) {
    const rows = await trx
      .selectFrom('tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.user_id', 't.name', 't.type', 'u.name as owner'])
      .where(
        't.id',
        'in',
        slice.map((row) => row.token_id),
      )
      .execute();
    for (const token of rows) tokens.set(Number(token.id), token);
  }
  await insertAuditEvents(
    trx,
    announced.flatMap(({ token_id, address }) => {
      const token = tokens.get(Number(token_id));
      const use = earliest.get(`${Number(token_id)} ${address}`);
      // A session's sign-in is in the trail already, with its address (`created`): only API tokens are announced.
      if (token === undefined || use === undefined || token.type !== 'USER') return [];
      return [
        {
          at: use.at,
          event: 'used_from_new_address' as const,
          ownerId: token.user_id,
          owner: token.owner,
          tokenName: token.name,
          tokenType: token.type,
          actor: null,
          client: address,
          reason: use.client,
        },
      ];
    }),
  );
}

/** The items a list at a time: a statement takes a bounded number of parameters (SQLite 32,766, PostgreSQL 65,535). */
function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
