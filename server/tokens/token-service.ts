// The rules of API tokens: create, list, get, update, remove, duplicate (SPEC §3.2).
import type * as v from 'valibot';
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
import type { Authenticated } from '../auth/authenticate';
import { digestTokenValue } from '../auth/digest';
import { apiError, validationFailed } from '../errors';
import { NameTakenError, type NewToken, type Store, type TokenPatch, type TokenRecord } from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { resolveExpiration } from './expiration';
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
}

export function createTokenService({ store, clock }: TokenServiceDeps) {
  async function insert(token: NewToken, caller: Authenticated): Promise<CreatedTokenResult> {
    const value = createTokenValue();
    try {
      const record = await store.createToken({ ...token, digest: digestTokenValue(value) });
      return { token: toToken(record, epochSeconds(clock), caller.token?.id), value };
    } catch (error) {
      if (error instanceof NameTakenError) {
        throw apiError(409, 'NAME_TAKEN', `You already have a token named "${token.name}".`, {
          field: 'name',
        });
      }
      throw error;
    }
  }

  /** The caller's own token by owner and name; other users' tokens are the All Tokens view's. */
  async function findOwnToken(caller: Authenticated, owner: string, name: string): Promise<TokenRecord> {
    if (owner !== caller.user.name) throw forbiddenForOthers();
    const record = await store.findToken(caller.user.id, name.normalize('NFC'));
    if (!record) throw apiError(404, 'TOKEN_NOT_FOUND', `No token named "${name}" for user "${owner}".`);
    return record;
  }

  /** A session token can only be switched on or off, and only while it is valid (SPEC §1.2). */
  async function updateSession(record: TokenRecord, body: UpdateTokenInput, now: number): Promise<void> {
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
    if (!(await store.updateToken(record.id, { enabled: body.enabled, savedAt: now }))) {
      throw tokenGone(record.owner, record.name);
    }
  }

  return {
    async list(caller: Authenticated, query: ListTokensInput): Promise<TokenList> {
      if (query.user !== undefined && query.user !== caller.user.name) throw forbiddenForOthers();
      const limit = query.limit ?? -1;
      const offset = query.offset ?? 0;
      const now = epochSeconds(clock);
      const { items, total } = await store.listTokens({
        userId: caller.user.id,
        type: query.type,
        status: query.status,
        now,
        limit,
        offset: Math.max(offset, 0),
      });
      return { items: items.map((r) => toToken(r, now, caller.token?.id)), totalCount: total, limit, offset };
    },

    async create(caller: Authenticated, body: CreateTokenInput): Promise<CreatedTokenResult> {
      if (body.user !== undefined && body.user !== caller.user.name) {
        throw apiError(403, 'FORBIDDEN', 'Tokens can only be created for yourself.', { field: 'user' });
      }
      const restricted = body.restricted ?? false;
      checkPermissionsMatchRestriction(restricted, body.permissions);
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
          permissions: normalizePermissions(body.permissions),
          createdAt: now,
          savedAt: now,
          expiresAt,
        },
        caller,
      );
    },

    async get(caller: Authenticated, owner: string, name: string): Promise<Token> {
      const record = await findOwnToken(caller, owner, name);
      return toToken(record, epochSeconds(clock), caller.token?.id);
    },

    async update(caller: Authenticated, owner: string, name: string, body: UpdateTokenInput): Promise<void> {
      const record = await findOwnToken(caller, owner, name);
      const now = epochSeconds(clock);
      if (record.type === 'SESSION') return updateSession(record, body, now);
      const expiresAt = resolveExpiration(body, now);
      if (body.enabled === true && expiresAt === undefined && now >= record.expiresAt) {
        throw validationFailed({
          enabled: `the token expired on ${toApiDate(record.expiresAt)}; enable it together with a new expirationTimeout or expirationDate`,
        });
      }
      const restricted = body.restricted ?? record.restricted;
      if (body.permissions !== undefined || body.restricted !== undefined) {
        checkPermissionsMatchRestriction(
          restricted,
          body.permissions ?? (record.restricted && restricted ? record.permissions : undefined),
        );
      }
      const patch: TokenPatch = { savedAt: now };
      if (body.description !== undefined) patch.description = body.description;
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      if (expiresAt !== undefined) patch.expiresAt = expiresAt;
      if (body.restricted !== undefined || body.permissions !== undefined) {
        patch.restricted = restricted;
        patch.permissions = restricted ? normalizePermissions(body.permissions ?? record.permissions) : [];
      }
      if (Object.keys(patch).length === 1) return; // nothing but savedAt: an empty update
      if (!(await store.updateToken(record.id, patch))) throw tokenGone(owner, name);
    },

    async remove(caller: Authenticated, owner: string, name: string): Promise<void> {
      const record = await findOwnToken(caller, owner, name);
      if (!(await store.deleteToken(record.id))) throw tokenGone(owner, name);
    },

    async duplicate(
      caller: Authenticated,
      owner: string,
      name: string,
      body: DuplicateTokenInput,
    ): Promise<CreatedTokenResult> {
      const source = await findOwnToken(caller, owner, name);
      if (source.type === 'SESSION') {
        throw apiError(409, 'CONFLICT', 'Session tokens cannot be duplicated; create an API token instead.');
      }
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

function forbiddenForOthers() {
  return apiError(
    403,
    'FORBIDDEN',
    "Managing another user's tokens needs the usermanagement:manage permission.",
    {
      required: ['usermanagement:manage'],
    },
  );
}

function tokenGone(owner: string, name: string) {
  return apiError(404, 'TOKEN_NOT_FOUND', `No token named "${name}" for user "${owner}".`);
}
