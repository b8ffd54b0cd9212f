// The token form as plain data: presets, the chosen permissions, and the create body or edit patch built from it.
import {
  type CreateTokenBody,
  type DuplicateTokenBody,
  latestTokenExpiry,
  MAX_TOKEN_LIFETIME_SECONDS,
  type Token,
  type UpdateTokenBody,
} from '../../shared/schemas/token';
import { type DuplicateDraft, EXPIRY_PRESETS, type TokenDraft } from './model';

export type { ExpiryChoice, RepositoryGrant, TokenDraft } from './model';
export { EXPIRY_PRESETS } from './model';

export function emptyDraft(): TokenDraft {
  return {
    name: '',
    description: '',
    expiry: '30d',
    date: '',
    enabled: true,
    restricted: false,
    general: [],
    repositories: [{ name: '*', levels: [] }],
  };
}

/** Every permission the draft picks, sorted, without repeats; rows without a repository name add nothing. */
export function draftPermissions(draft: TokenDraft): string[] {
  const picked = new Set(draft.general);
  for (const repository of draft.repositories) {
    const name = repository.name.trim();
    if (name === '') continue;
    for (const level of repository.levels) picked.add(`repository/${name}:${level}`);
  }
  return [...picked].sort();
}

const REPOSITORY_PERMISSION = /^repository\/([^:/]+):([a-z]+)$/;

/** The draft with `permissions` checked too: general ones as boxes, repository ones on that repository's row. */
export function withPermissions(draft: TokenDraft, permissions: readonly string[]): TokenDraft {
  const general = new Set(draft.general);
  const repositories = draft.repositories.map((row) => ({ ...row, levels: [...row.levels] }));
  for (const permission of permissions) {
    const item = REPOSITORY_PERMISSION.exec(permission);
    if (!item) {
      general.add(permission);
      continue;
    }
    const [, name = '', level = ''] = item;
    const row = repositories.find((r) => r.name.trim() === name);
    if (!row) repositories.push({ name, levels: [level] });
    else if (!row.levels.includes(level)) row.levels.push(level);
  }
  return { ...draft, general: [...general], repositories };
}

export type DraftCheck = { ok: true; body: CreateTokenBody } | { ok: false; message: string };

/** The create body, or the sentence saying what to fix first. `now` is in milliseconds. */
export function draftToBody(draft: TokenDraft, now: number): DraftCheck {
  const name = draft.name.trim();
  if (name === '') return { ok: false, message: 'Give the token a name.' };
  const body: CreateTokenBody = { name, enabled: draft.enabled, restricted: draft.restricted };
  if (draft.description.trim() !== '') body.description = draft.description.trim();
  const expiry = draftExpiry(draft, now);
  if (!expiry.ok) return expiry;
  Object.assign(body, expiry.value);
  if (draft.restricted) {
    const badRow = draft.repositories.find(
      (r) => r.levels.length > 0 && !/^(\*|[^/:*]+)$/.test(r.name.trim()),
    );
    if (badRow)
      return {
        ok: false,
        message: 'A repository name cannot be empty or contain /, : or * (use * alone for all).',
      };
    const permissions = draftPermissions(draft);
    if (permissions.length === 0)
      return { ok: false, message: 'Pick at least one permission, or choose All Permissions.' };
    body.permissions = permissions;
  }
  return { ok: true, body };
}

type Expiry = Pick<CreateTokenBody, 'expirationTimeout' | 'expirationDate'>;

/** The expiration fields the draft asks for: none for `keep`, or the sentence saying what to fix. */
function draftExpiry(
  draft: Pick<TokenDraft, 'expiry' | 'date'>,
  now: number,
): { ok: true; value: Expiry } | { ok: false; message: string } {
  if (draft.expiry === 'keep') return { ok: true, value: {} };
  if (draft.expiry === 'date') {
    const end = Date.parse(`${draft.date}T23:59:59`);
    if (!Number.isFinite(end)) return { ok: false, message: 'Pick the date the token expires on.' };
    if (end <= now) return { ok: false, message: 'The expiration date must be in the future.' };
    return { ok: true, value: { expirationDate: new Date(end).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  }
  // Presets travel as a duration so a browser clock that is off does not shift them.
  const preset = EXPIRY_PRESETS.find((p) => p.id === draft.expiry);
  return { ok: true, value: { expirationTimeout: preset?.seconds ?? EXPIRY_PRESETS[2].seconds } };
}

/** The form filled in from an existing token: its description and permissions; the expiry kept (unless expired). */
export function draftFromToken(token: Token): TokenDraft {
  const base: TokenDraft = {
    ...emptyDraft(),
    name: token.name,
    description: token.description,
    enabled: token.enabled,
    restricted: token.restricted,
    // An expired token is renewed by giving it a new expiration: offer the default preset, not "keep".
    expiry: token.expired ? '30d' : 'keep',
    repositories: [],
  };
  const draft = withPermissions(base, token.permissions ?? []);
  return draft.repositories.length > 0 ? draft : { ...draft, repositories: [{ name: '*', levels: [] }] };
}

export type PatchCheck = { ok: true; patch: UpdateTokenBody } | { ok: false; message: string };

/**
 * The partial update (PUT) for what changed. Renewing an expired token sends the new expiration together with
 * `enabled: true`, since a new expiry is how the server enables an expired token again (docs/tokens.md).
 */
export function draftToPatch(draft: TokenDraft, token: Token, now: number): PatchCheck {
  const patch: UpdateTokenBody = {};
  const description = draft.description.trim();
  if (description !== token.description) patch.description = description;
  if (token.expired && draft.expiry === 'keep')
    return { ok: false, message: 'This token has expired: choose a new expiration to enable it again.' };
  const expiry = draftExpiry(draft, now);
  if (!expiry.ok) return expiry;
  Object.assign(patch, expiry.value);
  if (token.expired) patch.enabled = true;
  if (draft.restricted) {
    const checked = draftToBody({ ...draft, name: token.name, expiry: 'keep' }, now);
    if (!checked.ok) return checked;
    const permissions = checked.body.permissions ?? [];
    const before = [...(token.permissions ?? [])].sort();
    if (!token.restricted || permissions.join('\n') !== before.join('\n')) {
      patch.restricted = true;
      patch.permissions = permissions;
    }
  } else if (token.restricted) {
    patch.restricted = false;
  }
  if (Object.keys(patch).length === 0) return { ok: false, message: 'Nothing has changed.' };
  return { ok: true, patch };
}

/** How long `token` was made to live, created to expiry, in whole seconds within what the server accepts. */
export function lifetimeSeconds(token: Pick<Token, 'createdDate' | 'expirationDate'>): number {
  const seconds = Math.round((Date.parse(token.expirationDate) - Date.parse(token.createdDate)) / 1000);
  return Math.min(Math.max(seconds, 1), MAX_TOKEN_LIFETIME_SECONDS);
}

/** The first draft of a copy: "<name> (copy)", living as long as the original did. */
export function duplicateDraftOf(token: Pick<Token, 'name'>): DuplicateDraft {
  return { name: `${token.name} (copy)`, expiry: 'same', date: '' };
}

export type DuplicateCheck = { ok: true; body: DuplicateTokenBody } | { ok: false; message: string };

/** The duplicate body (name and expiry), or the sentence saying what to fix first. `now` in milliseconds. */
export function duplicateBody(source: Token, draft: DuplicateDraft, now: number): DuplicateCheck {
  const name = draft.name.trim();
  if (name === '') return { ok: false, message: 'Give the copy a name.' };
  if (draft.expiry === 'same') {
    // A copy of a ten-year token lives as long as the next ten calendar years allow, which may be a day less.
    const seconds = Math.floor(now / 1000);
    const longest = latestTokenExpiry(seconds) - seconds;
    return { ok: true, body: { name, expirationTimeout: Math.min(lifetimeSeconds(source), longest) } };
  }
  const expiry = draftExpiry({ expiry: draft.expiry, date: draft.date }, now);
  if (!expiry.ok) return expiry;
  return { ok: true, body: { name, ...expiry.value } };
}
