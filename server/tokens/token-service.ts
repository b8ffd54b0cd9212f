// The rules of API tokens: create, list, get, update, remove, duplicate, and the All Tokens view.
import type * as v from 'valibot';
import { holdsPermission, missingDependencies } from '../../shared/permissions';
import type { AuditEventType } from '../../shared/schemas/audit';
import {
  type CreateTokenBodySchema,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  type DuplicateTokenBodySchema,
  type ListTokensQuerySchema,
  type Token,
  type TokenList,
  type UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import { createTokenValue } from '../../shared/token-format';
import type { AuditLog } from '../audit/audit-log';
import type { Authenticated } from '../auth/authenticate';
import { type Authorizer, Permission, requireFullCredential } from '../auth/authorize';
import { digestTokenValue } from '../auth/digest';
import { apiError, unauthorized, validationFailed } from '../errors';
import {
  AccountChangedError,
  NameTakenError,
  type NewAuditRecord,
  type NewToken,
  type Store,
  TokenLimitError,
  type TokenPatch,
  type TokenRecord,
} from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { resolveExpiration } from './expiration';
import { decodeCursor, encodeCursor } from './token-cursor';
import { toToken } from './token-view';

type CreateTokenInput = v.InferOutput<typeof CreateTokenBodySchema>;
type UpdateTokenInput = v.InferOutput<typeof UpdateTokenBodySchema>;
type DuplicateTokenInput = v.InferOutput<typeof DuplicateTokenBodySchema>;
type ListTokensInput = v.InferOutput<typeof ListTokensQuerySchema>;

export interface CreatedTokenResult {
  token: Token;
  /** The secret, for the one response that creates it. */
  value: string;
}

export interface TokenServiceDeps {
  store: Store;
  clock: Clock;
  authorizer: Authorizer;
  audit: AuditLog;
  /** API tokens one user may hold; session tokens do not count. */
  maxTokensPerUser: number;
}

export function createTokenService({ store, clock, authorizer, audit, maxTokensPerUser }: TokenServiceDeps) {
  const eventOf = (
    event: AuditEventType,
    token: Pick<TokenRecord, 'userId' | 'owner' | 'name' | 'type'>,
    caller: Authenticated,
    reason?: string,
  ) => audit.tokenEvent(event, token, caller.user.name, caller.client, reason);

  /** Stores a new API token under the owner's limit, its event with it (the store holds the limit). */
  async function insert(
    token: NewToken,
    caller: Authenticated,
    event: { type: 'created' } | { type: 'duplicated'; from: string },
  ): Promise<CreatedTokenResult> {
    const value = createTokenValue();
    const reason = event.type === 'duplicated' ? `from ${event.from}` : undefined;
    try {
      const record = await store.createToken(
        { ...token, digest: digestTokenValue(value) },
        {
          maxApiTokens: maxTokensPerUser,
          audit: [eventOf(event.type, { ...token, owner: caller.user.name }, caller, reason)],
        },
      );
      return { token: toToken(record, epochSeconds(clock), caller.token?.id), value };
    } catch (error) {
      if (error instanceof NameTakenError) {
        throw apiError(409, 'NAME_TAKEN', `You already have a token named "${token.name}".`, {
          field: 'name',
        });
      }
      if (error instanceof TokenLimitError) {
        throw apiError(
          409,
          'TOKEN_LIMIT',
          `You hold ${error.held} API tokens, the most one user may; remove some before creating more.`,
          { limit: error.limit },
        );
      }
      // The account was deleted while the request was on its way: its credential is no longer good.
      if (error instanceof AccountChangedError) throw unauthorized();
      throw error;
    }
  }

  /** A token by owner and name: the caller's own, or (for administrators) anyone's. */
  async function findToken(caller: Authenticated, owner: string, name: string): Promise<TokenRecord> {
    let userId = caller.user.id;
    if (owner !== caller.user.name) {
      // Other users' tokens are for administrators: the All Tokens view.
      await authorizer.demand(caller, Permission.manageUsers);
      const user = await store.findUserByName(owner);
      if (!user) throw tokenGone(owner, name);
      userId = user.id;
    }
    const record = await store.findToken(userId, name.normalize('NFC'));
    if (!record) throw tokenGone(owner, name);
    return record;
  }

  /**
   * A token may hold only what its owner holds (403), only what the credential in use may do itself, so a
   * restricted token cannot mint a wider one (403), and every permission with its dependencies (422).
   */
  async function checkGrantable(
    caller: Authenticated,
    restricted: boolean,
    wanted: readonly string[],
  ): Promise<void> {
    const owner = await authorizer.ofOwner(caller);
    const own = await authorizer.ofCaller(caller);
    const requested = restricted ? wanted : owner;
    const lacking = requested.filter((p) => !holdsPermission(owner, p));
    if (lacking.length > 0) {
      throw apiError(403, 'FORBIDDEN', `You do not hold ${lacking.join(', ')}, so no token of yours can.`, {
        required: lacking,
      });
    }
    const beyond = requested.filter((p) => !holdsPermission(own, p));
    if (beyond.length > 0) {
      const what = restricted ? beyond.join(', ') : 'All Permissions';
      throw apiError(403, 'FORBIDDEN', `The token this request used cannot grant ${what}.`, {
        required: beyond,
      });
    }
    const missing = restricted ? missingDependencies(wanted) : [];
    if (missing.length > 0) {
      throw apiError(422, 'PERMISSION_DEPENDENCIES', `These permissions also need ${missing.join(', ')}.`, {
        required: missing,
      });
    }
  }

  /** A session token can only be switched on or off, and only while it is valid. */
  async function updateSession(
    record: TokenRecord,
    body: UpdateTokenInput,
    now: number,
    caller: Authenticated,
  ): Promise<void> {
    const fields = Object.keys(body).filter((field) => field !== 'enabled');
    if (fields.length > 0) {
      throw apiError(
        409,
        'CONFLICT',
        `Session tokens can only be enabled or disabled, not given ${fields.join(', ')}.`,
      );
    }
    if (now >= record.expiresAt) {
      throw apiError(409, 'CONFLICT', 'This session token has expired: it can only be removed.');
    }
    if (body.enabled === undefined) return;
    const events =
      body.enabled === record.enabled ? [] : [eventOf(body.enabled ? 'enabled' : 'disabled', record, caller)];
    if (!(await store.updateToken(record.id, { enabled: body.enabled, savedAt: now }, events))) {
      throw tokenGone(record.owner, record.name);
    }
  }

  return {
    async list(caller: Authenticated, query: ListTokensInput): Promise<TokenList> {
      // As FME: a list asked for without limit or offset echoes both as -1.
      const limit = query.limit ?? -1;
      const offset = query.offset ?? -1;
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      if (query.after !== undefined && after === undefined)
        throw validationFailed({ after: "is not a cursor from a token list (use the list's next)" });
      if (after !== undefined && offset > 0)
        throw validationFailed({ after: 'cannot be combined with an offset: the cursor is the position' });
      const now = epochSeconds(clock);
      const empty = { items: [], totalCount: 0, limit, offset, next: null };
      let userId: number | undefined = caller.user.id;
      if (query.user !== undefined && query.user !== caller.user.name) {
        await authorizer.demand(caller, Permission.manageUsers);
        if (query.user === '*') userId = undefined;
        else {
          const user = await store.findUserByName(query.user);
          if (!user) return empty;
          userId = user.id;
        }
      }
      const page = await store.listTokens({
        userId,
        type: query.type,
        status: query.status,
        now,
        limit,
        offset: Math.max(offset, 0),
        after,
      });
      return {
        items: page.items.map((r) => toToken(r, now, caller.token?.id)),
        totalCount: page.total,
        limit,
        offset,
        next: page.next === undefined ? null : encodeCursor(page.next),
      };
    },

    async create(caller: Authenticated, body: CreateTokenInput): Promise<CreatedTokenResult> {
      requireFullCredential(caller);
      if (body.user !== undefined && body.user !== caller.user.name) {
        throw apiError(403, 'FORBIDDEN', 'Tokens can only be created for yourself.', { field: 'user' });
      }
      const restricted = body.restricted ?? false;
      checkPermissionsMatchRestriction(restricted, body.permissions);
      const wanted = normalizePermissions(body.permissions);
      // An unrestricted token holds what its owner holds, and the full credential this needs may grant all of it:
      // only a restricted one's permissions have anything to check (and the owner's to read).
      if (restricted) await checkGrantable(caller, restricted, wanted);
      const now = epochSeconds(clock);
      const expiresAt = resolveExpiration(body, now) ?? now + DEFAULT_TOKEN_LIFETIME_SECONDS;
      return insert(
        {
          userId: caller.user.id,
          name: body.name,
          description: body.description ?? '',
          type: 'USER',
          source: 'api',
          digest: '',
          enabled: body.enabled ?? true,
          restricted,
          permissions: wanted,
          createdAt: now,
          savedAt: now,
          expiresAt,
        },
        caller,
        { type: 'created' },
      );
    },

    async get(caller: Authenticated, owner: string, name: string): Promise<Token> {
      const record = await findToken(caller, owner, name);
      return toToken(record, epochSeconds(clock), caller.token?.id);
    },

    async update(caller: Authenticated, owner: string, name: string, body: UpdateTokenInput): Promise<void> {
      requireFullCredential(caller);
      const record = await findToken(caller, owner, name);
      const now = epochSeconds(clock);
      if (record.userId !== caller.user.id) {
        const fields = Object.keys(body).filter((field) => field !== 'enabled');
        if (fields.length > 0) {
          throw apiError(
            403,
            'FORBIDDEN',
            `Another user's token can only be enabled or disabled, not given ${fields.join(', ')}.`,
          );
        }
      }
      if (record.type === 'SESSION') return updateSession(record, body, now, caller);
      const expiresAt = resolveExpiration(body, now);
      if (body.enabled === true && expiresAt === undefined && now >= record.expiresAt) {
        throw validationFailed({
          enabled: `the token expired on ${toApiDate(record.expiresAt)}; enable it together with a new expirationTimeout or expirationDate`,
        });
      }
      const patch: TokenPatch = { savedAt: now };
      if (body.description !== undefined) patch.description = body.description;
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      if (expiresAt !== undefined) patch.expiresAt = expiresAt;
      if (body.restricted !== undefined || body.permissions !== undefined) {
        const restricted = body.restricted ?? record.restricted;
        const kept = record.restricted && restricted ? record.permissions : undefined;
        checkPermissionsMatchRestriction(restricted, body.permissions ?? kept);
        patch.restricted = restricted;
        patch.permissions = restricted ? normalizePermissions(body.permissions ?? record.permissions) : [];
        await checkGrantable(caller, restricted, patch.permissions);
      }
      if (Object.keys(patch).length === 1) return; // nothing but savedAt: an empty update
      const events: NewAuditRecord[] = [];
      if (patch.enabled !== undefined && patch.enabled !== record.enabled) {
        events.push(eventOf(patch.enabled ? 'enabled' : 'disabled', record, caller));
      }
      const changed = Object.keys(patch).filter((field) => field !== 'savedAt' && field !== 'enabled');
      if (changed.length > 0) events.push(eventOf('updated', record, caller, changed.join(', ')));
      if (!(await store.updateToken(record.id, patch, events))) throw tokenGone(owner, name);
    },

    async remove(caller: Authenticated, owner: string, name: string): Promise<void> {
      requireFullCredential(caller);
      const record = await findToken(caller, owner, name);
      if (!(await store.deleteToken(record.id, [eventOf('removed', record, caller)])))
        throw tokenGone(owner, name);
    },

    async duplicate(
      caller: Authenticated,
      owner: string,
      name: string,
      body: DuplicateTokenInput,
    ): Promise<CreatedTokenResult> {
      requireFullCredential(caller);
      const source = await findToken(caller, owner, name);
      if (source.userId !== caller.user.id) {
        throw apiError(403, 'FORBIDDEN', "Another user's token cannot be duplicated; only its owner can.");
      }
      if (source.type === 'SESSION') {
        throw apiError(409, 'CONFLICT', 'Session tokens cannot be duplicated; create an API token instead.');
      }
      await checkGrantable(caller, source.restricted, source.permissions);
      const now = epochSeconds(clock);
      const expiresAt = resolveExpiration(body, now) ?? now + DEFAULT_TOKEN_LIFETIME_SECONDS;
      return insert(
        {
          userId: caller.user.id,
          name: body.name,
          description: body.description ?? source.description,
          type: 'USER',
          source: 'api',
          digest: '',
          enabled: body.enabled ?? true,
          restricted: source.restricted,
          permissions: source.permissions,
          createdAt: now,
          savedAt: now,
          expiresAt,
        },
        caller,
        { type: 'duplicated', from: source.name },
      );
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

function checkPermissionsMatchRestriction(
  restricted: boolean,
  permissions: readonly string[] | undefined,
): void {
  if (restricted && permissions === undefined) {
    throw validationFailed({ permissions: 'a restricted token needs its permissions' });
  }
  if (!restricted && permissions !== undefined) {
    throw validationFailed({
      permissions:
        'permissions need "restricted": true; an unrestricted token has all of its owner\'s permissions',
    });
  }
}

function normalizePermissions(permissions: readonly string[] | undefined): string[] {
  return [...new Set(permissions ?? [])].sort();
}

function tokenGone(owner: string, name: string) {
  return apiError(404, 'TOKEN_NOT_FOUND', `No token named "${name}" for user "${owner}".`);
}
