// Sign-ins racing a change to their account on one server process on SQLite: a session is made only if the
// password it was checked against is still the account's, so none made with the old password outlives the change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedTokenSchema } from '../shared/schemas/token';
import { basic, call, fmetoken } from './fixtures/instance-http';
import { type RunningServer, startServer } from './fixtures/server-process';
import { ACCOUNT_CHANGES, raceSignInsAgainstChange } from './fixtures/sign-in-race';

const ADMIN_PASSWORD = 'sign-in races admin password';
const RACES = 8;
let dir: string;
let server: RunningServer;
let admin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-sign-in-races-'));
  server = await startServer({ ADMIN_PASSWORD, LOG_REQUESTS: 'false', TRUSTED_PROXIES: 'loopback' }, dir);
  const created = await call(server.baseUrl, 'POST', '/fmerest/v3/tokens', basic('admin', ADMIN_PASSWORD), {
    name: 'races',
  });
  admin = fmetoken(v.parse(CreatedTokenSchema, created.body).token);
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('sign-ins racing an account change on one SQLite instance', () => {
  for (const change of ACCOUNT_CHANGES) {
    it(`leave no session made with the old password working after a ${change} (${RACES} rounds)`, async () => {
      let handedOut = 0;
      for (let round = 1; round <= RACES; round++) {
        handedOut += await raceSignInsAgainstChange({
          changeOn: server.baseUrl,
          signInOn: [server.baseUrl],
          admin,
          change,
          user: `racer ${change} ${round}`,
          round,
          signIns: 8,
        });
      }
      console.log(
        `${change}: ${handedOut} sessions handed out around the change in ${RACES} rounds, none working`,
      );
      expect(handedOut).toBeGreaterThan(0);
    });
  }
});
