// The OpenAPI document as committed in docs/openapi.json: what a server with the default configuration serves.
import { createApp } from '../app';
import { createPasswordHasher } from '../auth/password';
import { loadConfig } from '../config';
import { silentLogger } from '../logger';
import { OPENAPI_PATH } from '../routes/docs';
import { openSqliteStore } from '../store/sqlite-store';
import { systemClock } from '../time';

/** Where the document is committed, relative to the repository's root. */
export const OPENAPI_FILE = 'docs/openapi.json';

/**
 * The document a server started without any setting answers at OPENAPI_PATH, indented so that a change to
 * it reads as a diff. Re-indenting parsed JSON keeps every key, value and order: the bytes served follow
 * from these and back.
 */
export async function renderOpenApiFile(): Promise<string> {
  const store = openSqliteStore(':memory:');
  try {
    const { sessions: sessionPolicy } = loadConfig({});
    const app = createApp({
      store,
      clock: systemClock,
      passwords: createPasswordHasher(),
      log: silentLogger,
      sessionPolicy,
      logRequests: false,
    });
    const res = await app.request(OPENAPI_PATH);
    if (res.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${res.status}`);
    return `${JSON.stringify(await res.json(), null, 2)}\n`;
  } finally {
    await store.close();
  }
}
