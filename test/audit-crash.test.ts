// An audit event commits with the change it records: the server killed with SIGKILL the moment a change is
// acknowledged, restarted, and every acknowledged change (create, disable, remove) has its event in the trail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditListSchema } from '../shared/schemas/audit';
import { basic } from './fixtures/instance-http';
import { type RunningServer, startServer } from './fixtures/server-process';

const ADMIN_PASSWORD = 'audit crash admin password';
const ADMIN = basic('admin', ADMIN_PASSWORD);
const ROUNDS = 3;
const CLIENTS = 4;

let dir: string;
let server: RunningServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenward-audit-crash-'));
});
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const start = () => startServer({ ADMIN_PASSWORD, LOG_REQUESTS: 'false' }, dir);

interface Acknowledged {
  token: string;
  event: 'created' | 'disabled' | 'removed';
}

describe('SIGKILL the moment a change is acknowledged', () => {
  it('loses no audit event of an acknowledged change', async () => {
    const acknowledged: Acknowledged[] = [];
    server = await start();
    // One session for the stream: verified from memory, so the changes themselves are what the server does.
    const login = await fetch(`${server.baseUrl}/fmerest/v3/login`, {
      method: 'POST',
      headers: { Authorization: ADMIN },
    });
    const session = `fmetoken token=${v.parse(v.object({ token: v.string() }), await login.json()).token}`;
    for (let round = 1; round <= ROUNDS; round++) {
      const running = server;
      // The kill comes with the answer that brings this round's count of acknowledged changes to `killAt`.
      const killAt = acknowledged.length + 3 + round * 2;
      const acknowledge = (entry: Acknowledged) => {
        acknowledged.push(entry);
        if (acknowledged.length === killAt) running.process.kill('SIGKILL');
      };
      const change = async (method: string, path: string, body?: unknown) => {
        try {
          const res = await fetch(`${running.baseUrl}/fmerest/v3/tokens${path}`, {
            method,
            headers: { Authorization: session, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          await res.arrayBuffer();
          return res.status;
        } catch {
          return 0; // no answer: the server died first
        }
      };
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let i = 0; running.process.exitCode === null && running.process.signalCode === null; i++) {
            const token = `round ${round} client ${client} #${i}`;
            const path = `/admin/${encodeURIComponent(token)}`;
            if ((await change('POST', '', { name: token })) !== 201) break;
            acknowledge({ token, event: 'created' });
            if ((await change('PUT', path, { enabled: false })) !== 204) break;
            acknowledge({ token, event: 'disabled' });
            if ((await change('DELETE', path)) !== 204) break;
            acknowledge({ token, event: 'removed' });
          }
        }),
      );
      await running.stop('SIGKILL');
      server = await start();
      const trail = await fetch(`${server.baseUrl}/fmerest/v3/security/audit?limit=-1`, {
        headers: { Authorization: ADMIN },
      });
      const events = new Set(
        v.parse(AuditListSchema, await trail.json()).items.map((event) => `${event.event} ${event.token}`),
      );
      const missing = acknowledged.filter(({ token, event }) => !events.has(`${event} ${token}`));
      expect(missing, `after the kill of round ${round}`).toEqual([]);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS * 5);
  }, 60_000);
});
