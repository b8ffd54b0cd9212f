// Notices of one server and sign-in do not outlive them: another server, a sign-out or another user clears them.
import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { createPopupState } from '../../features/tokens/popup-state';
import { clearOnAccountChange } from './account-change';

const said = { tone: 'ok' as const, text: 'Renewed "Old script".' };
const signedInAs = (user: string) =>
  ({ kind: 'signedIn', value: { user, credential: 'session', restricted: false } }) as const;

describe('clearOnAccountChange', () => {
  it('keeps what was said while the account stays, and clears it when the server or the sign-in changes', () => {
    const state = createPopupState();
    state.server.value = 'http://127.0.0.1:8787';
    state.connection.value = signedInAs('admin') as never;
    const notice = signal<typeof said | null>(said);
    clearOnAccountChange(state, [notice]);
    expect(notice.value).toBe(said);
    state.now.value += 1;
    expect(notice.value).toBe(said);

    state.server.value = 'http://127.0.0.1:9999';
    expect(notice.value).toBeNull();
    notice.value = said;
    state.connection.value = { kind: 'signedOut' };
    expect(notice.value).toBeNull();
    notice.value = said;
    state.connection.value = signedInAs('alice') as never;
    expect(notice.value).toBeNull();
  });
});
