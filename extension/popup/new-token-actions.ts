// The new-token form: catalogue, draft edits, dependency offer, creation, and the value shown once.
import { missingDependencies } from '../../shared/permissions';
import type { CreatedToken } from '../../shared/schemas/token';
import { errorText, requiredPermissions } from '../ui/error-text';
import { guard, type PopupDeps } from './popup-deps';
import type { PopupState } from './popup-state';
import { draftPermissions, draftToBody, emptyDraft, type TokenDraft, withPermissions } from './token-draft';

export interface NewTokenHooks {
  unauthorized(): void;
  /** A token was created: the list behind the panel should show it. */
  changed(): Promise<void>;
}

/** `<name>.txt`, with the characters a file name cannot hold replaced (names never hold control characters). */
export function valueFileName(tokenName: string): string {
  return `${tokenName.replace(/[\\/:*?"<>|]/g, '_')}.txt`;
}

export function createNewTokenActions(state: PopupState, deps: PopupDeps, hooks: NewTokenHooks) {
  async function loadCatalogue(): Promise<void> {
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
    const checked = draftToBody(draft, deps.now());
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
    const answer = await guard(deps.send('createToken', { server: state.server.value, body: checked.body }));
    state.creating.value = false;
    if (answer.ok) {
      show(answer.value);
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
      state.draft.value = emptyDraft();
      state.draftError.value = null;
      state.missing.value = [];
      state.screen.value = 'new';
      await loadCatalogue();
    },

    retryCatalogue(): Promise<void> {
      state.catalogue.value = { kind: 'idle' };
      return loadCatalogue();
    },

    editDraft(patch: Partial<TokenDraft>): void {
      state.draft.value = { ...state.draft.value, ...patch };
      state.missing.value = [];
      state.draftError.value = null;
    },

    submit,

    /** "Grant additional permissions": add what was missing and send again. */
    async grantMissing(): Promise<void> {
      state.draft.value = withPermissions(state.draft.value, state.missing.value);
      state.missing.value = [];
      await submit();
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
