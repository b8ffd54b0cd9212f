// The token form as plain data: presets, the chosen permissions, and the create body or edit patch built from it.
import type { CreateTokenBody, Token, UpdateTokenBody } from '../../shared/schemas/token';

export const EXPIRY_PRESETS = [
  { id: '1d', label: '1 day', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
  { id: '90d', label: '90 days', seconds: 90 * 86_400 },
  { id: '1y', label: '1 year', seconds: 365 * 86_400 },
] as const;
/** `keep`: an edit that leaves the expiration as it is. */
export type ExpiryChoice = (typeof EXPIRY_PRESETS)[number]['id'] | 'date' | 'keep';

export interface RepositoryGrant {
  /** A repository name, or `*` for every repository. */
  name: string;
  levels: string[];
}

export interface TokenDraft {
  name: string;
  description: string;
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD`, used when `expiry` is `date`: the token expires at the end of that day, local time. */
  date: string;
  enabled: boolean;
  /** false: All Permissions. */
  restricted: boolean;
  /** Checked general permissions, `category:level`. */
  general: string[];
  repositories: RepositoryGrant[];
}

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
  draft: TokenDraft,
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
 * `enabled: true`, since a new expiry is how it is enabled again (SPEC §1.2).
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
