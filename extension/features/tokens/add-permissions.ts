// "Add it to <token>" from a refused request: the token's edit form, with the missing permissions ticked.
import { missingDependencies } from '../../../shared/permissions';
import type { Token } from '../../../shared/schemas/token';
import { draftPermissions, withPermissions } from '../../core/token-draft';
import type { Popup } from './popup-context';

/**
 * "Add it to <token>": the edit form of that token with the permissions ticked for review, and the dependency
 * offer shown at once when they need more. A string says why it cannot be done here.
 */
export async function openAddPermissions(
  popup: Popup,
  token: Token,
  permissions: string[],
): Promise<string | null> {
  const { state, actions } = popup;
  const connection = state.connection.value;
  if (connection.kind !== 'signedIn') return 'Sign in to change this token.';
  await actions.openEdit(token);
  // Back to the rules when the form closes.
  state.returnTo.value = 'rules';
  const draft = withPermissions(state.draft.value, permissions);
  state.draft.value = draft;
  state.granted.value = permissions;
  state.missing.value = missingDependencies(draftPermissions(draft));
  return null;
}
