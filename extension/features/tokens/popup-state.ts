// Popup (and options page) state as signals: server, sign-in, the token lists, the new-token form.
import { signal } from '@preact/signals';
import type { PermissionCatalogue } from '../../../shared/schemas/permissions';
import type { CreatedToken, Token, TokenType } from '../../../shared/schemas/token';
import type { Connection } from '../../core/messages';
import type { Loadable, Notice, PopupStatus, TokenDraft } from '../../core/model';
import { emptyDraft } from '../../core/token-draft';
import { createTokenListState } from './token-list-state';

export type { Loadable, PopupStatus } from '../../core/model';

export type ConnectionView =
  | { kind: 'unknown' }
  /** `reason`: why the user has to sign in (again), e.g. the session lapsed. */
  | { kind: 'signedOut'; reason?: string }
  | { kind: 'signedIn'; value: Connection };

export type Screen = 'tokens' | 'new' | 'edit' | 'created' | 'all' | 'rules';

export function createPopupState() {
  return {
    loaded: signal(false),
    /** The URL being edited in the server form. */
    urlInput: signal(''),
    status: signal<PopupStatus>({ kind: 'idle' }),
    /** Saved servers and the active one. */
    servers: signal<string[]>([]),
    server: signal(''),
    /** true while adding another server from the signed-in view. */
    addingServer: signal(false),
    connection: signal<ConnectionView>({ kind: 'unknown' }),
    signIn: {
      mode: signal<'password' | 'token'>('password'),
      user: signal(''),
      password: signal(''),
      token: signal(''),
      busy: signal(false),
      error: signal<string | null>(null),
    },
    screen: signal<Screen>('tokens'),
    tab: signal<TokenType>('USER'),
    filter: signal<'active' | 'expired'>('active'),
    mine: createTokenListState(),
    catalogue: signal<Loadable<PermissionCatalogue>>({ kind: 'idle' }),
    /** Repositories the user may read, offered by name in the picker (empty when the server lists none). */
    knownRepositories: signal<string[]>([]),
    draft: signal<TokenDraft>(emptyDraft()),
    /** The token the form edits (screen `edit`); null while creating one. */
    editing: signal<Token | null>(null),
    /** The screen to go back to when the form closes (the options page edits from All tokens too). */
    returnTo: signal<Screen>('tokens'),
    draftError: signal<string | null>(null),
    /** What the last form did (changes saved, a token renewed), said on the list it returns to. */
    notice: signal<Notice | null>(null),
    /** Permissions to offer with "Grant additional permissions"; empty when nothing is missing. */
    missing: signal<string[]>([]),
    /** Just granted: shown highlighted so the user reviews them before saving. */
    granted: signal<string[]>([]),
    creating: signal(false),
    /** A value shown once: gone from memory when the user closes the panel. */
    created: signal<{ token: CreatedToken; kept: boolean; copied: boolean } | null>(null),
    /** The clock rows measure "expires in" against; ticks while the page is open. */
    now: signal(Date.now()),
  };
}

export type PopupState = ReturnType<typeof createPopupState>;
