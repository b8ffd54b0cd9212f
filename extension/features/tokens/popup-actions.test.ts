// Popup behaviour a user sees: the saved URL, validation, permission prompts and the status sentence.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createApiClient, type Result } from '../../../shared/api-client';
import type { ErrorCode } from '../../../shared/errors';
import type { Version } from '../../../shared/schemas/info';
import { createMessageHandlers, registerMessageHandlers } from '../../background/message-handlers';
import type { Send } from '../../core/messages';
import { type MessageHandlers, sendMessage } from '../../core/messages';
import {
  credentialsItem,
  keptTokensItem,
  savedServersItem,
  serverUrlItem,
  signOutsItem,
  uiPrefsItem,
} from '../../core/storage-items';
import {
  closedPortUrl,
  startLoopbackServer,
  VERSION_BODY,
  versionEndpoint,
} from '../../testing/loopback-server';
import { statusText } from '../../ui/status-text';
import { createPopupActions } from './popup-actions';
import type { PopupDeps } from './popup-deps';
import { createPopupState } from './popup-state';

const CONNECTED = 'Connected to tokenward 0.1.0 (build 21807)';

/** A background that answers checkServer (and getConnection: nobody signed in) without a server. */
function sendVia(handlers: Partial<MessageHandlers>): Send {
  return (type, data) => {
    const handler = handlers[type];
    return handler ? handler(data) : Promise.reject(new Error(`no ${type} handler`));
  };
}

interface Overrides {
  checkServer?: (url: string) => Promise<Result<Version>>;
  requestOrigin?: PopupDeps['requestOrigin'];
}

function setup(overrides: Overrides = {}) {
  const state = createPopupState();
  const checkServer = vi.fn<(url: string) => Promise<Result<Version>>>(
    overrides.checkServer ?? (async () => ({ ok: true, value: VERSION_BODY })),
  );
  const deps = {
    serverUrl: serverUrlItem,
    savedServers: savedServersItem,
    uiPrefs: uiPrefsItem,
    signOuts: signOutsItem,
    send: sendVia({
      checkServer: ({ url }) => checkServer(url),
      getConnection: async () => ({ ok: true, value: null }),
    }),
    checkServer,
    requestOrigin: vi.fn<PopupDeps['requestOrigin']>(overrides.requestOrigin ?? (async () => true)),
    copyText: vi.fn<PopupDeps['copyText']>(async () => {}),
    downloadText: vi.fn<PopupDeps['downloadText']>(),
    now: () => Date.now(),
  };
  const actions = createPopupActions(state, deps);
  return { state, actions, deps, text: () => statusText(state.status.value) };
}

function failure(code: ErrorCode, status = 0): Result<Version> {
  return { ok: false, error: { code, message: `raw ${code} message`, status } };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('opening the popup', () => {
  it('shows the default URL on the first run, and judges no server before the user saves one', async () => {
    const { state, actions, deps, text } = setup({ checkServer: async () => failure('NETWORK') });
    expect(state.loaded.value).toBe(false);
    await actions.load();
    expect(state.loaded.value).toBe(true);
    expect(state.urlInput.value).toBe('http://127.0.0.1:8787');
    // No red "unreachable" before anything was typed: nothing was checked, and no sign-in form shows.
    expect(deps.checkServer).not.toHaveBeenCalled();
    expect(text()).toBe('');
    expect(state.server.value).toBe('');
    expect(state.connection.value).toEqual({ kind: 'signedOut' });
    actions.setUrlInput('http://127.0.0.1:8787');
    await actions.save();
    expect(deps.checkServer).toHaveBeenCalledWith('http://127.0.0.1:8787');
    expect(text()).toBe('The server at http://127.0.0.1:8787 is unreachable.');
  });

  it('reloads the URL saved in an earlier popup and checks that server', async () => {
    const first = setup();
    await first.actions.load();
    first.actions.setUrlInput('http://localhost:9000/');
    await first.actions.save();
    expect(await fakeBrowser.storage.local.get('serverUrl')).toEqual({ serverUrl: 'http://localhost:9000' });

    const second = setup();
    await second.actions.load();
    expect(second.state.urlInput.value).toBe('http://localhost:9000');
    expect(second.deps.checkServer).toHaveBeenCalledWith('http://localhost:9000');
  });

  it('does not send a check for a stored URL that is no longer valid', async () => {
    await fakeBrowser.storage.local.set({ serverUrl: 'ftp://old.example.com' });
    const { actions, deps, text } = setup();
    await actions.load();
    expect(deps.checkServer).not.toHaveBeenCalled();
    expect(text()).toMatch(/must start with http:\/\/ or https:\/\//);
  });
});

describe('Save & check', () => {
  it('shows "Checking…" until the answer arrives, then the version', async () => {
    const answer = deferred<Result<Version>>();
    const { actions, text } = setup({ checkServer: () => answer.promise });
    actions.setUrlInput('http://127.0.0.1:9100');
    const saving = actions.save();
    await vi.waitFor(() => expect(text()).toBe('Checking…'));
    answer.resolve({ ok: true, value: VERSION_BODY });
    await saving;
    expect(text()).toBe(CONNECTED);
  });

  it.each<[ErrorCode, number, string]>([
    ['NETWORK', 0, 'The server at http://127.0.0.1:9100 is unreachable.'],
    ['BAD_RESPONSE', 200, 'http://127.0.0.1:9100 answered, but it is not a tokenward server.'],
    ['NOT_FOUND', 404, 'http://127.0.0.1:9100 has no tokenward version endpoint; check the path in the URL.'],
    ['UNAUTHORIZED', 401, 'The server at http://127.0.0.1:9100 asks you to sign in again.'],
    ['FORBIDDEN', 403, 'The server at http://127.0.0.1:9100 refused access.'],
    ['RATE_LIMITED', 429, 'The server at http://127.0.0.1:9100 is limiting requests; try again in a moment.'],
    [
      'STORE_UNAVAILABLE',
      503,
      'The server at http://127.0.0.1:9100 is up, but its token store is unavailable.',
    ],
    ['INTERNAL', 500, 'The server at http://127.0.0.1:9100 had an internal error; its log has the details.'],
    [
      'CONFLICT',
      409,
      'The server at http://127.0.0.1:9100 answered with an error (CONFLICT): raw CONFLICT message',
    ],
  ])('explains %s in a sentence', async (code, status, sentence) => {
    const { actions, text } = setup({ checkServer: async () => failure(code, status) });
    actions.setUrlInput('http://127.0.0.1:9100');
    await actions.save();
    expect(text()).toBe(sentence);
  });

  it('says so when the background does not answer', async () => {
    const { actions, text } = setup({ checkServer: () => Promise.reject(new Error('port closed')) });
    actions.setUrlInput('http://127.0.0.1:9100');
    await actions.save();
    expect(text()).toBe("tokenward's background did not answer; reload the extension and try again.");
  });

  it('rejects an invalid URL without saving or checking it', async () => {
    const { state, actions, deps, text } = setup();
    await actions.load();
    deps.checkServer.mockClear();
    actions.setUrlInput('file:///etc/passwd');
    await actions.save();
    expect(text()).toBe('The server URL must start with http:// or https://, not file:.');
    expect(deps.checkServer).not.toHaveBeenCalled();
    expect(await serverUrlItem.getValue()).toBe('http://127.0.0.1:8787');
    expect(state.urlInput.value).toBe('file:///etc/passwd');
  });

  it('shows the answer to the newest check, not a slower earlier one', async () => {
    const slow = deferred<Result<Version>>();
    const checkServer = vi.fn<(url: string) => Promise<Result<Version>>>((url) =>
      url.endsWith(':1111') ? slow.promise : Promise.resolve({ ok: true, value: VERSION_BODY }),
    );
    const { actions, text } = setup({ checkServer });
    actions.setUrlInput('http://127.0.0.1:1111');
    const first = actions.save();
    await vi.waitFor(() => expect(checkServer).toHaveBeenCalledTimes(1));
    actions.setUrlInput('http://127.0.0.1:2222');
    await actions.save();
    slow.resolve(failure('NETWORK'));
    await first;
    expect(text()).toBe(CONNECTED);
  });
});

describe('saved servers', () => {
  it('does not save a URL that did not answer as a tokenward server', async () => {
    const { state, actions, text } = setup({
      checkServer: async (url) =>
        url.endsWith(':9100') ? failure('NETWORK') : { ok: true, value: VERSION_BODY },
    });
    await actions.load();
    actions.setUrlInput('http://127.0.0.1:9100');
    await actions.save();
    expect(text()).toBe('The server at http://127.0.0.1:9100 is unreachable.');
    expect(await savedServersItem.getValue()).not.toContain('http://127.0.0.1:9100');
    expect(state.servers.value).not.toContain('http://127.0.0.1:9100');
    actions.setUrlInput('http://127.0.0.1:9200');
    await actions.save();
    expect(await savedServersItem.getValue()).toContain('http://127.0.0.1:9200');
  });

  it('forgets a saved server and makes the next one active', async () => {
    await savedServersItem.setValue(['http://127.0.0.1:9200', 'http://127.0.0.1:9300']);
    await serverUrlItem.setValue('http://127.0.0.1:9200');
    const { state, actions } = setup();
    await actions.load();
    await actions.forgetServer('http://127.0.0.1:9200');
    expect(await savedServersItem.getValue()).toEqual(['http://127.0.0.1:9300']);
    expect(await serverUrlItem.getValue()).toBe('http://127.0.0.1:9300');
    expect(state.server.value).toBe('http://127.0.0.1:9300');
    await actions.forgetServer('http://127.0.0.1:9300');
    expect(state.servers.value).toEqual([]);
    expect(state.connection.value).toEqual({ kind: 'signedOut' });
  });

  it('calls a 40-hex value with a wrong checksum not a valid token, without asking the background', async () => {
    const { state, actions, deps } = setup();
    await actions.load();
    deps.checkServer.mockClear();
    actions.setSignInMode('token');
    state.signIn.token.value = 'a'.repeat(40);
    await actions.signIn();
    expect(state.signIn.error.value).toBe(
      'That is not a valid tokenward token: its checksum does not match. Was it mistyped?',
    );
  });
});

describe('host permission for other servers', () => {
  it('asks for the origin, then saves and checks when granted', async () => {
    const { actions, deps, text } = setup();
    actions.setUrlInput('https://tokens.example.com/tw/');
    await actions.save();
    expect(deps.requestOrigin).toHaveBeenCalledWith('https://tokens.example.com/*');
    expect(await serverUrlItem.getValue()).toBe('https://tokens.example.com/tw');
    expect(deps.checkServer).toHaveBeenCalledWith('https://tokens.example.com/tw');
    expect(text()).toBe(CONNECTED);
  });

  it('asks before anything else is awaited, so the prompt stays inside the click', () => {
    const { actions, deps } = setup();
    actions.setUrlInput('https://tokens.example.com');
    void actions.save();
    expect(deps.requestOrigin).toHaveBeenCalledTimes(1);
  });

  it('does not ask for 127.0.0.1 or localhost, which the manifest already covers', async () => {
    const { actions, deps } = setup();
    for (const url of ['http://127.0.0.1:9100', 'http://localhost:9100']) {
      actions.setUrlInput(url);
      await actions.save();
    }
    expect(deps.requestOrigin).not.toHaveBeenCalled();
    expect(deps.checkServer).toHaveBeenCalledTimes(2);
  });

  it('explains a refusal and keeps the old URL', async () => {
    const { actions, deps, text } = setup({ requestOrigin: async () => false });
    actions.setUrlInput('https://tokens.example.com');
    await actions.save();
    expect(text()).toBe(
      'tokenward was not allowed to reach https://tokens.example.com, so the URL was not saved. Save again and choose Allow.',
    );
    expect(deps.checkServer).not.toHaveBeenCalled();
    expect(await serverUrlItem.getValue()).toBe('http://127.0.0.1:8787');
  });

  it('explains a prompt that could not be shown', async () => {
    const { actions, text } = setup({
      requestOrigin: () => Promise.reject(new Error('This function must be called during a user gesture')),
    });
    actions.setUrlInput('https://tokens.example.com');
    await actions.save();
    expect(text()).toBe(
      'tokenward could not ask for access to https://tokens.example.com (This function must be called during a user gesture).',
    );
  });
});

describe('wired to the background', () => {
  it('checks a real server through runtime messaging', async () => {
    registerMessageHandlers(
      browser.runtime.onMessage,
      createMessageHandlers({
        createApiClient,
        fetch: (input, init) => fetch(input, init),
        timeoutMs: 2_000,
        credentials: credentialsItem,
        keptTokens: keptTokensItem,
      }),
    );
    const server = await startLoopbackServer(versionEndpoint);
    try {
      const { actions, text } = setup({ checkServer: (url) => sendMessage('checkServer', { url }) });
      actions.setUrlInput(server.url);
      await actions.save();
      expect(text()).toBe(CONNECTED);

      const closed = await closedPortUrl();
      actions.setUrlInput(closed);
      await actions.save();
      expect(text()).toBe(`The server at ${closed} is unreachable.`);
    } finally {
      await server.close();
    }
  });
});
