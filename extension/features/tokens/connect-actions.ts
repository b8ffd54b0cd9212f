// Connecting: load and save servers, switch between them, sign in or paste a token, sign out, keep alive.
import type { Result } from '../../../shared/api-client';
import type { Version } from '../../../shared/schemas/info';
import { isWellFormedTokenValue } from '../../../shared/token-format';
import type { Connection } from '../../core/messages';
import { guard } from '../../core/messages';
import { DEFAULT_SERVER_URL, parseServerUrl } from '../../core/server-url';
import type { SignOut } from '../../core/storage-items';
import { errorText } from '../../ui/error-text';
import type { PopupDeps } from './popup-deps';
import type { PopupState } from './popup-state';

/** Why the page shows the sign-in form again, in words; undefined when the user signed out right here. */
export function signOutText(signOut: SignOut, server: string): string {
  const what =
    signOut.credential === 'token'
      ? `the API token this browser was signed in with${signOut.name ? ` (“${signOut.name}”)` : ''}`
      : `your current session${signOut.name ? ` (“${signOut.name}”)` : ''}`;
  switch (signOut.cause) {
    case 'disabled':
    case 'removed':
      return `You ${signOut.cause} ${what}, so you are signed out of ${server}. Sign in again to go on.`;
    case 'signed-out':
      return `You signed out of ${server} in another tokenward page.`;
    case 'ended':
      return `Your sign-in to ${server} has ended; sign in again.`;
  }
}

export interface ConnectHooks {
  /** Runs once the active server has a working sign-in: load what the page shows. */
  signedIn(): Promise<void>;
}

export function createConnectActions(state: PopupState, deps: PopupDeps, hooks: ConnectHooks) {
  // Only the newest check may set the status: an older, slower answer must not overwrite it.
  let latestCheck = 0;

  function showProblem(message: string): void {
    latestCheck++;
    state.status.value = { kind: 'problem', message };
  }

  /** Resolves true when `url` answered as a tokenward server. */
  async function check(url: string): Promise<boolean> {
    const id = ++latestCheck;
    state.status.value = { kind: 'checking', url };
    let result: Result<Version> | undefined;
    try {
      result = await deps.send('checkServer', { url });
    } catch {
      result = undefined;
    }
    if (id !== latestCheck) return false;
    if (result === undefined) {
      state.status.value = {
        kind: 'problem',
        message: "tokenward's background did not answer; reload the extension and try again.",
      };
    } else if (result.ok) {
      state.status.value = { kind: 'connected', url, version: result.value };
    } else {
      state.status.value = { kind: 'failed', url, error: result.error };
    }
    return result?.ok ?? false;
  }

  async function enter(connection: Connection): Promise<void> {
    state.connection.value = { kind: 'signedIn', value: connection };
    state.addingServer.value = false;
    state.signIn.password.value = '';
    state.signIn.token.value = '';
    state.signIn.error.value = null;
    await hooks.signedIn();
  }

  /** Shows the active server's sign-in, or the sign-in form with the reason and a server check. */
  async function resume(server: string): Promise<void> {
    state.connection.value = { kind: 'unknown' };
    const answer = await guard(deps.send('getConnection', { server }));
    if (state.server.value !== server) return;
    if (answer.ok && answer.value !== null) return enter(answer.value);
    state.connection.value = answer.ok
      ? { kind: 'signedOut' }
      : { kind: 'signedOut', reason: errorText(answer.error, server) };
    await check(server);
  }

  /** The credential lapsed: say so and show the sign-in form (a page already there keeps its reason). */
  function lapsed(): void {
    if (state.connection.value.kind === 'signedOut') return;
    state.connection.value = {
      kind: 'signedOut',
      reason: `Your sign-in to ${state.server.value} has ended; sign in again.`,
    };
    state.screen.value = 'tokens';
  }

  /** The background dropped `server`'s credential (here or in another page): the sign-in form, with why. */
  function signedOutBy(server: string, signOut: SignOut): void {
    if (server !== state.server.value || state.connection.value.kind === 'unknown') return;
    // Already at the sign-in form: only the user's own change to the session says more than it does.
    const ownChange = signOut.cause === 'disabled' || signOut.cause === 'removed';
    if (state.connection.value.kind === 'signedOut' && !ownChange) return;
    state.connection.value = { kind: 'signedOut', reason: signOutText(signOut, server) };
    state.screen.value = 'tokens';
    state.editing.value = null;
  }

  async function remember(url: string): Promise<void> {
    const servers = await deps.savedServers.getValue();
    if (!servers.includes(url)) await deps.savedServers.setValue([...servers, url]);
    state.servers.value = await deps.savedServers.getValue();
    await deps.serverUrl.setValue(url);
    state.server.value = url;
    state.urlInput.value = url;
  }

  return {
    /** Shows the saved servers and the active one's sign-in as the page opens. */
    async load(): Promise<void> {
      const [saved, servers, prefs] = await Promise.all([
        deps.serverUrl.getValue(),
        deps.savedServers.getValue(),
        deps.uiPrefs.getValue(),
      ]);
      state.urlInput.value = saved;
      state.servers.value = servers;
      state.tab.value = prefs.tab;
      state.filter.value = prefs.status;
      state.loaded.value = true;
      // The first run: nothing was saved, so the form shows the usual URL and no server is judged before the
      // user saves one (a red "unreachable" for a URL nobody typed would be the first thing they read).
      if (servers.length === 0 && saved === DEFAULT_SERVER_URL) {
        state.connection.value = { kind: 'signedOut' };
        return;
      }
      const parsed = parseServerUrl(saved);
      if (!parsed.ok) {
        state.connection.value = { kind: 'signedOut' };
        return showProblem(parsed.message);
      }
      state.server.value = parsed.value.url;
      await resume(parsed.value.url);
    },

    setUrlInput(value: string): void {
      state.urlInput.value = value;
    },

    /** The user removed the browser's access to the server: ask again (from the click), then check it. */
    async grantServerAccess(): Promise<void> {
      const status = state.status.value;
      if (status.kind !== 'failed') return;
      const { origin } = new URL(status.url);
      let granted: boolean;
      try {
        granted = await deps.requestOrigin(`${origin}/*`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return showProblem(`tokenward could not ask for access to ${origin} (${reason}).`);
      }
      if (!granted) return showProblem(`The browser did not grant access to ${origin}.`);
      await check(status.url);
    },

    /** Call straight from the click handler: Chrome only shows the permission prompt inside a user gesture. */
    async save(): Promise<void> {
      const parsed = parseServerUrl(state.urlInput.value);
      if (!parsed.ok) return showProblem(parsed.message);
      const { url, origin, builtIn } = parsed.value;
      if (!builtIn) {
        let granted: boolean;
        try {
          granted = await deps.requestOrigin(`${origin}/*`);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return showProblem(`tokenward could not ask for access to ${origin} (${reason}).`);
        }
        if (!granted) {
          return showProblem(
            `tokenward was not allowed to reach ${origin}, so the URL was not saved. Save again and choose Allow.`,
          );
        }
      }
      // A URL is saved only once it answered as a tokenward server: a typo must not stay in the list for good.
      if (!(await check(url))) return;
      await remember(url);
      const answer = await guard(deps.send('getConnection', { server: url }));
      if (state.server.value !== url) return;
      if (answer.ok && answer.value !== null) return enter(answer.value);
      // The saved server is the active one now: its sign-in form shows, the status line says if it answered.
      state.addingServer.value = false;
      state.connection.value = { kind: 'signedOut' };
    },

    /** Makes another saved server the active one. */
    async switchServer(url: string): Promise<void> {
      if (!state.servers.value.includes(url)) return;
      await deps.serverUrl.setValue(url);
      state.server.value = url;
      state.urlInput.value = url;
      state.addingServer.value = false;
      state.screen.value = 'tokens';
      await resume(url);
    },

    /** Forgets a saved server (signing out of it first); the next saved one, if any, becomes active. */
    async forgetServer(url: string): Promise<void> {
      await guard(deps.send('signOut', { server: url }));
      const servers = (await deps.savedServers.getValue()).filter((saved) => saved !== url);
      await deps.savedServers.setValue(servers);
      state.servers.value = servers;
      if (state.server.value !== url) return;
      const next = servers[0] ?? '';
      await deps.serverUrl.setValue(next);
      state.server.value = next;
      state.urlInput.value = next;
      state.addingServer.value = false;
      state.screen.value = 'tokens';
      state.status.value = { kind: 'idle' };
      if (next === '') state.connection.value = { kind: 'signedOut' };
      else await resume(next);
    },

    /** Opens the server form from the signed-in view; saving there makes the new server active. */
    addServer(adding: boolean): void {
      state.addingServer.value = adding;
      state.urlInput.value = adding ? '' : state.server.value;
      state.status.value = { kind: 'idle' };
    },

    setSignInMode(mode: 'password' | 'token'): void {
      state.signIn.mode.value = mode;
      state.signIn.error.value = null;
    },

    async signIn(): Promise<void> {
      const server = state.server.value;
      const { user, password, token, mode, busy, error } = state.signIn;
      if (mode.value === 'password' && (user.value.trim() === '' || password.value === '')) {
        error.value = 'Enter your user name and password.';
        return;
      }
      if (mode.value === 'token' && !/^[0-9a-f]{40}$/.test(token.value.trim())) {
        error.value = 'Paste the 40-character token value.';
        return;
      }
      // The last 8 characters are a checksum of the rest (shared/token-format.ts): a typo is caught here, before any
      // request.
      if (mode.value === 'token' && !isWellFormedTokenValue(token.value.trim())) {
        error.value = 'That is not a valid tokenward token: its checksum does not match. Was it mistyped?';
        return;
      }
      busy.value = true;
      error.value = null;
      const answer =
        mode.value === 'password'
          ? await guard(deps.send('signIn', { server, user: user.value.trim(), password: password.value }))
          : await guard(deps.send('useToken', { server, token: token.value.trim() }));
      busy.value = false;
      if (answer.ok) return enter(answer.value);
      if (answer.error.code === 'UNAUTHORIZED') {
        error.value =
          mode.value === 'password'
            ? 'The user name or password is wrong, or the account is disabled.'
            : 'The server did not accept that token: it is unknown, disabled or expired.';
      } else {
        error.value = errorText(answer.error, server);
      }
    },

    async signOut(): Promise<void> {
      const server = state.server.value;
      await guard(deps.send('signOut', { server }));
      state.connection.value = { kind: 'signedOut' };
      state.screen.value = 'tokens';
      await check(server);
    },

    lapsed,

    signedOutBy,

    /** Follows every sign-out the background records, so no page stays signed in on a dead credential. */
    watchSignOuts(): () => void {
      return deps.signOuts.watch((next, before) => {
        for (const [server, signOut] of Object.entries(next ?? {}))
          if (signOut.at !== before?.[server]?.at) signedOutBy(server, signOut);
      });
    },

    /** A light authenticated call while the page is open, so the server renews a web session in use. */
    async keepAlive(): Promise<void> {
      if (state.connection.value.kind !== 'signedIn') return;
      const server = state.server.value;
      const answer = await guard(deps.send('getConnection', { server }));
      if (state.server.value !== server || state.connection.value.kind !== 'signedIn') return;
      if (answer.ok && answer.value !== null)
        state.connection.value = { kind: 'signedIn', value: answer.value };
      else if (answer.ok || answer.error.code === 'UNAUTHORIZED') lapsed();
    },
  };
}

export type ConnectActions = ReturnType<typeof createConnectActions>;
