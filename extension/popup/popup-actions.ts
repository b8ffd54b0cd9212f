// What the popup does: load the saved URL, save and check a new one, ask for host permission when needed.
import type { Result } from '../../shared/api-client';
import type { Version } from '../../shared/schemas/info';
import { parseServerUrl } from '../utils/server-url';
import type { PopupState } from './popup-state';

export interface PopupDeps {
  serverUrl: { getValue(): Promise<string>; setValue(value: string): Promise<void> };
  checkServer(url: string): Promise<Result<Version>>;
  /** Resolves true when the user grants access to the match pattern. */
  requestOrigin(pattern: string): Promise<boolean>;
}

export function createPopupActions(state: PopupState, deps: PopupDeps) {
  // Only the newest check may set the status: an older, slower answer must not overwrite it.
  let latestCheck = 0;

  function showProblem(message: string): void {
    latestCheck++;
    state.status.value = { kind: 'problem', message };
  }

  async function check(url: string): Promise<void> {
    const id = ++latestCheck;
    state.status.value = { kind: 'checking', url };
    let result: Result<Version> | undefined;
    try {
      result = await deps.checkServer(url);
    } catch {
      result = undefined;
    }
    if (id !== latestCheck) return;
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
  }

  return {
    /** Shows the saved URL and checks that server, as the popup opens. */
    async load(): Promise<void> {
      const saved = await deps.serverUrl.getValue();
      state.urlInput.value = saved;
      state.loaded.value = true;
      const parsed = parseServerUrl(saved);
      if (parsed.ok) await check(parsed.value.url);
      else showProblem(parsed.message);
    },

    setUrlInput(value: string): void {
      state.urlInput.value = value;
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
      state.urlInput.value = url;
      await deps.serverUrl.setValue(url);
      await check(url);
    },
  };
}

export type PopupActions = ReturnType<typeof createPopupActions>;
