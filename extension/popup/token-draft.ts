// The new-token form as plain data: presets, the chosen permissions, and the create body built from it.
import type { CreateTokenBody } from '../../shared/schemas/token';

export const EXPIRY_PRESETS = [
  { id: '1d', label: '1 day', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
  { id: '90d', label: '90 days', seconds: 90 * 86_400 },
  { id: '1y', label: '1 year', seconds: 365 * 86_400 },
] as const;
export type ExpiryChoice = (typeof EXPIRY_PRESETS)[number]['id'] | 'date';

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
  if (draft.expiry === 'date') {
    const end = Date.parse(`${draft.date}T23:59:59`);
    if (!Number.isFinite(end)) return { ok: false, message: 'Pick the date the token expires on.' };
    if (end <= now) return { ok: false, message: 'The expiration date must be in the future.' };
    body.expirationDate = new Date(end).toISOString().replace(/\.\d{3}Z$/, 'Z');
  } else {
    // Presets travel as a duration so a browser clock that is off does not shift them.
    const preset = EXPIRY_PRESETS.find((p) => p.id === draft.expiry);
    body.expirationTimeout = preset?.seconds ?? EXPIRY_PRESETS[2].seconds;
  }
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
