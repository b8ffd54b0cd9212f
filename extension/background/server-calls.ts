// API clients for the background: one per call, with a time limit, and the stored credential when signed in.
import type { ApiClient, ApiClientOptions, Credential, Result } from '../../shared/api-client';
import type { StoredCredential } from '../core/storage-items';
import type { CredentialStore } from './credential-store';

export interface ServerCallDeps {
  createApiClient: (options: ApiClientOptions) => ApiClient;
  fetch: typeof fetch;
  /** A server that accepts the connection but never answers must not leave the UI waiting. */
  timeoutMs: number;
  credentials: CredentialStore;
}

export function createServerCalls(deps: ServerCallDeps) {
  const fetchWithTimeout: typeof fetch = (input, init) =>
    deps.fetch(input, { ...init, signal: AbortSignal.timeout(deps.timeoutMs) });

  function client(server: string, credential?: Credential): ApiClient {
    return deps.createApiClient({
      baseUrl: server,
      fetch: fetchWithTimeout,
      ...(credential && { credential }),
    });
  }

  return {
    client,
    /**
     * Runs `call` with the credential held for `server`. A 401 means it lapsed or was revoked, so it is
     * dropped (unless a newer sign-in replaced it meanwhile) and the UI asks the user to sign in again.
     */
    async authed<T>(
      server: string,
      call: (api: ApiClient, credential: StoredCredential) => Promise<Result<T>>,
    ): Promise<Result<T>> {
      const stored = await deps.credentials.get(server);
      if (!stored) return notSignedIn(server);
      const result = await call(client(server, { kind: 'token', value: stored.value }), stored);
      if (!result.ok && result.error.code === 'UNAUTHORIZED') {
        const current = await deps.credentials.get(server);
        if (current?.value === stored.value) await deps.credentials.forget(server, 'ended');
      }
      return result;
    },
  };
}

export type ServerCalls = ReturnType<typeof createServerCalls>;

/** Nothing was sent: there is no credential for this server. Worded by the UI like any 401. */
export function notSignedIn(server: string): Result<never> {
  return { ok: false, error: { code: 'UNAUTHORIZED', message: `Not signed in to ${server}.`, status: 0 } };
}

/** 204 answers travel as `null`: messaging drops `undefined` values. */
export function asNull(result: Result<undefined>): Result<null> {
  return result.ok ? { ok: true, value: null } : result;
}
