// The leaf types the pages and the ui/ components share: loading states, notices, list rows, the token draft,
// the table's sort. Plain data only, so ui/ depends on this module and never on popup/ or options/.
import type { ApiError } from '../../shared/api-client';
import type { Version } from '../../shared/schemas/info';
import type { ResourceType } from '../../shared/schemas/injection-rules';
import type { Token } from '../../shared/schemas/token';

export type Loadable<T> =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; value: T }
  | { kind: 'failed'; message: string };

export interface Notice {
  tone: 'ok' | 'error';
  text: string;
}

/** Whether the server in the form can be reached, as the status line tells it. */
export type PopupStatus =
  | { kind: 'idle' }
  | { kind: 'checking'; url: string }
  | { kind: 'connected'; url: string; version: Version }
  | { kind: 'failed'; url: string; error: ApiError }
  /** Nothing was sent: the URL is invalid, permission was refused, or the background did not answer. */
  | { kind: 'problem'; message: string };

export type ListView =
  | { kind: 'loading' }
  | { kind: 'ready'; items: Token[]; totalCount: number }
  | { kind: 'failed'; message: string };

/** The question a row asks before it acts: a name for the copy, "really remove?", or (for the session this
 * browser is signed in with) "really disable? It signs you out". */
/** `enable`: asked only before enabling a token reported as leaked. */
export type RowPrompt = { key: string; kind: 'duplicate' | 'remove' | 'disable' | 'enable' };

/** Rows are keyed by owner and name: names are unique per owner only. */
export function tokenKey(token: Pick<Token, 'user' | 'name'>): string {
  return JSON.stringify([token.user, token.name]);
}

export const EXPIRY_PRESETS = [
  { id: '1d', label: '1 day', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
  { id: '90d', label: '90 days', seconds: 90 * 86_400 },
  { id: '1y', label: '1 year', seconds: 365 * 86_400 },
] as const;
/** `keep`: an edit that leaves the expiration as it is. */
export type ExpiryChoice = (typeof EXPIRY_PRESETS)[number]['id'] | 'date' | 'keep';

/** When a duplicate expires: `same` gives the copy the original's lifetime (created to expiry). */
export type DuplicateExpiry = 'same' | (typeof EXPIRY_PRESETS)[number]['id'] | 'date';

/** The copy a row's Duplicate makes, as the user fills it in under the row. */
export interface DuplicateDraft {
  name: string;
  expiry: DuplicateExpiry;
  /** `YYYY-MM-DD`, used when `expiry` is `date`. */
  date: string;
}

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

export type SortColumn = 'name' | 'user' | 'type' | 'status' | 'expires' | 'lastUsed';
export interface TableSort {
  column: SortColumn;
  descending: boolean;
}

export const SORT_COLUMNS: readonly { column: SortColumn; label: string }[] = [
  { column: 'name', label: 'Name' },
  { column: 'user', label: 'Owner' },
  { column: 'type', label: 'Type' },
  { column: 'status', label: 'Status' },
  { column: 'expires', label: 'Expires' },
  { column: 'lastUsed', label: 'Last used' },
];

export type BulkAction = 'enable' | 'disable' | 'remove';

/** The rule form as typed: patterns and initiators one per line. */
export interface RuleDraft {
  id?: number;
  /** tokenKey of a token whose value is held here; '' until one is chosen. */
  token: string;
  patterns: string;
  /** Empty: every type. */
  resourceTypes: ResourceType[];
  /** Whose requests: the target's own site and safe navigations, the listed pages, or any page. */
  pages: 'own' | 'listed' | 'any';
  /** Host names of the pages, for `listed`. */
  initiators: string;
  /** The user ticked that any page's requests then carry the token. */
  anyPageConfirmed: boolean;
  enabled: boolean;
  /** The user ticked "This sends your token to every site you visit". */
  allowBroad: boolean;
  /** Only in the tab the popup was opened over (a session rule). */
  thisTab: boolean;
}

/** A new rule's form: every type, the target's own pages, on. */
export function emptyRuleDraft(token = ''): RuleDraft {
  return {
    token,
    patterns: '',
    resourceTypes: [],
    pages: 'own',
    initiators: '',
    anyPageConfirmed: false,
    enabled: true,
    allowBroad: false,
    thisTab: false,
  };
}
