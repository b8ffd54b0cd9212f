// The token form, new or edited: catalogue, draft edits, dependency offer, create or update, the value shown once.
import { missingDependencies } from '../../../shared/permissions';
import type { CreatedToken, Token, UpdateTokenBody } from '../../../shared/schemas/token';
import { guard } from '../../core/messages';
import { absoluteDate } from '../../core/time-text';
import {
  draftFromToken,
  draftPermissions,
  draftToBody,
  draftToPatch,
  emptyDraft,
  type TokenDraft,
  withPermissions,
} from '../../core/token-draft';
import { errorText, requiredPermissions } from '../../ui/error-text';
import type { PopupDeps } from './popup-deps';
import type { PopupState } from './popup-state';

export interface NewTokenHooks {
  unauthorized(): void;
  /** A token was created or changed: the lists behind the form should show it. */
  changed(): Promise<void>;
}

/** `<name>.txt`, with the characters a file name cannot hold replaced (names never hold control characters). */
export function valueFileName(tokenName: string): string {
  return `${tokenName.replace(/[\\/:*?"<>|]/g, '_')}.txt`;
}

/** What an edit did, in words: renewed (with the new expiry), or saved; a new expiry is named either way. */
export function savedText(token: Token, patch: UpdateTokenBody, now: number): string {
  const until =
    patch.expirationDate ??
    (patch.expirationTimeout === undefined
      ? undefined
      : new Date(now + patch.expirationTimeout * 1000).toISOString());
  const expiry = until === undefined ? '' : ` It expires ${absoluteDate(until)}.`;
  return token.expired
    ? `Renewed "${token.name}": it is enabled again.${expiry}`
    : `Saved the changes to "${token.name}".${expiry}`;
}

export function createNewTokenActions(state: PopupState, deps: PopupDeps, hooks: NewTokenHooks) {
  /** The picker offers them by name; without `repositories:access` the list is refused, and names are typed. */
  async function loadRepositoryNames(): Promise<void> {
    const answer = await guard(deps.send('listRepositoryNames', { server: state.server.value }));
    state.knownRepositories.value = answer.ok ? answer.value : [];
  }

  async function loadCatalogue(): Promise<void> {
    void loadRepositoryNames();
    if (state.catalogue.value.kind === 'ready' || state.catalogue.value.kind === 'loading') return;
    state.catalogue.value = { kind: 'loading' };
    const answer = await guard(deps.send('getPermissionCatalogue', { server: state.server.value }));
    if (answer.ok) state.catalogue.value = { kind: 'ready', value: answer.value };
    else if (answer.error.code === 'UNAUTHORIZED') hooks.unauthorized();
    else state.catalogue.value = { kind: 'failed', message: errorText(answer.error, state.server.value) };
  }

  function show(token: CreatedToken): void {
    state.created.value = { token, kept: false, copied: false };
    state.screen.value = 'created';
  }

  async function submit(): Promise<void> {
    if (state.creating.value) return;
    const draft = state.draft.value;
    const editing = state.editing.value;
    const checked = editing ? draftToPatch(draft, editing, deps.now()) : draftToBody(draft, deps.now());
    if (!checked.ok) {
      state.draftError.value = checked.message;
      return;
    }
    state.draftError.value = null;
    // Offer the missing dependencies before sending; the server's 422 below is the same offer.
    const missing = draft.restricted ? missingDependencies(draftPermissions(draft)) : [];
    state.missing.value = missing;
    if (missing.length > 0) return;
    state.creating.value = true;
    const server = state.server.value;
    const answer =
      editing && 'patch' in checked
        ? await guard(
            deps.send('updateToken', {
              server,
              user: editing.user,
              name: editing.name,
              patch: checked.patch,
            }),
          )
        : 'body' in checked
          ? await guard(deps.send('createToken', { server, body: checked.body }))
          : undefined;
    state.creating.value = false;
    if (answer === undefined) return;
    if (answer.ok) {
      if (answer.value === null && editing) {
        const patch = 'patch' in checked ? checked.patch : {};
        state.notice.value = { tone: 'ok', text: savedText(editing, patch, deps.now()) };
        state.editing.value = null;
        state.screen.value = state.returnTo.value;
      } else if (answer.value !== null) show(answer.value);
      await hooks.changed();
    } else if (answer.error.code === 'UNAUTHORIZED') {
      hooks.unauthorized();
    } else if (answer.error.code === 'PERMISSION_DEPENDENCIES') {
      state.missing.value = requiredPermissions(answer.error);
    } else {
      state.draftError.value = errorText(answer.error, state.server.value);
    }
  }

  return {
    show,

    async openNewToken(): Promise<void> {
      state.notice.value = null;
      state.draft.value = emptyDraft();
      state.editing.value = null;
      state.draftError.value = null;
      state.missing.value = [];
      state.granted.value = [];
      state.returnTo.value = 'tokens';
      state.screen.value = 'new';
      await loadCatalogue();
    },

    /** Edit in place (or renew an expired token): the form filled in from the token. */
    async openEdit(token: Token, returnTo: 'tokens' | 'all' = 'tokens'): Promise<void> {
      state.notice.value = null;
      state.draft.value = draftFromToken(token);
      state.editing.value = token;
      state.draftError.value = null;
      state.missing.value = [];
      state.granted.value = [];
      state.returnTo.value = returnTo;
      state.screen.value = 'edit';
      await loadCatalogue();
    },

    /** Leaves the form without sending anything. */
    closeForm(): void {
      state.editing.value = null;
      state.missing.value = [];
      state.screen.value = state.returnTo.value;
    },

    retryCatalogue(): Promise<void> {
      state.catalogue.value = { kind: 'idle' };
      return loadCatalogue();
    },

    editDraft(patch: Partial<TokenDraft>): void {
      state.draft.value = { ...state.draft.value, ...patch };
      state.missing.value = [];
      state.granted.value = [];
      state.draftError.value = null;
    },

    submit,

    /** "Grant additional permissions": tick what was missing, for the user to review; nothing is sent yet. */
    grantMissing(): void {
      state.granted.value = state.missing.value;
      state.draft.value = withPermissions(state.draft.value, state.missing.value);
      state.missing.value = [];
    },

    async copyValue(): Promise<void> {
      const created = state.created.value;
      if (!created) return;
      try {
        await deps.copyText(created.token.token);
        state.created.value = { ...created, copied: true };
      } catch {
        state.draftError.value = 'The value could not be copied; select it and copy it by hand.';
      }
    },

    downloadValue(): void {
      const created = state.created.value;
      if (created) deps.downloadText(valueFileName(created.token.name), created.token.token);
    },

    /** Keeps (or stops keeping) the value for injection rules (session storage unless kept on this device). */
    async setKept(kept: boolean): Promise<void> {
      const created = state.created.value;
      if (!created) return;
      const { user, name, token: value } = created.token;
      const ref = { server: state.server.value, user, name };
      const answer = await guard(
        kept ? deps.send('keepTokenValue', { ...ref, value }) : deps.send('forgetTokenValue', ref),
      );
      if (answer.ok && state.created.value?.token === created.token)
        state.created.value = { ...created, kept };
    },

    /** Closes the panel; the value is not kept anywhere the UI can show it again. */
    closeCreated(): void {
      state.created.value = null;
      state.screen.value = 'tokens';
    },
  };
}

export type NewTokenActions = ReturnType<typeof createNewTokenActions>;
