// A full disk under the real server: writes fail with 503, never 2xx for a lost write nor 500.
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountListSchema } from '../shared/schemas/account';
import { ItemListSchema, RepositoryListSchema } from '../shared/schemas/repository';
import { SessionTokenSchema } from '../shared/schemas/session';
import { CreatedTokenSchema, TokenListSchema, TokenSchema } from '../shared/schemas/token';
import { type RunningServer, startServer } from './fixtures/server-process';
import { mountTmpfs, type Tmpfs } from './fixtures/tmpfs';

const ADMIN_PASSWORD = 'full disk admin password';
const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

type Kind = 'token' | 'account' | 'repository' | 'item' | 'token update' | 'sign-in';
interface Answer {
  kind: Kind;
  /** What to look for in the store after the restart. */
  key: string;
  status: number;
  retryAfter: string | null;
}

describe('a full disk under the real server', () => {
  let mounted: Tmpfs | undefined;
  let env: Record<string, string> = {};
  let server: RunningServer | undefined;

  beforeAll(async () => {
    // Large enough for a fresh store, small enough to fill in seconds.
    const disk = mountTmpfs('2m');
    if ('unavailable' in disk) {
      console.warn(`full-disk test SKIPPED: ${disk.unavailable}; it needs root to mount a small tmpfs.`);
      return;
    }
    mounted = disk;
    env = {
      DATABASE_URL: `sqlite:${join(disk.dir, 'tokenward.sqlite')}`,
      ADMIN_PASSWORD,
      LOG_REQUESTS: 'false',
    };
    server = await startServer(env, disk.dir);
  }, 30_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    mounted?.unmount();
  });

  it('acknowledges only what it stored, answers 503 with Retry-After meanwhile, and recovers when space returns', async (ctx) => {
    if (!mounted) return ctx.skip();
    if (!server) throw new Error('no server');
    const dir = mounted.dir;
    let base = server.baseUrl;
    const call = (path: string, init: RequestInit = {}, authorization = basic) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: { ...(authorization ? { Authorization: authorization } : {}), ...init.headers },
      });
    const json = (method: string, body: unknown): RequestInit => ({
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

    // One unrestricted token drives the fill: no password hashing per request.
    const driver = v.parse(
      CreatedTokenSchema,
      await (await call('/fmerest/v3/tokens', json('POST', { name: 'driver' }))).json(),
    );
    const auth = `fmetoken token=${driver.token}`;
    const send = (path: string, init: RequestInit) => call(path, init, auth);
    expect((await send('/fmerest/v3/repositories', json('POST', { name: 'fill' }))).status).toBe(201);

    const answers: Answer[] = [];
    const note = async (kind: Kind, key: string, response: Promise<Response>) => {
      const res = await response;
      answers.push({ kind, key, status: res.status, retryAfter: res.headers.get('Retry-After') });
      return res;
    };
    const padding = 'x'.repeat(1000);
    const upload = new Uint8Array(16 * 1024).fill(7);
    let fullRounds = 0;
    for (let round = 0; round < 400 && fullRounds < 5; round++) {
      const writes = [
        note(
          'token',
          `t${round}`,
          send('/fmerest/v3/tokens', json('POST', { name: `t${round}`, description: padding })),
        ),
        note(
          'repository',
          `r${round}`,
          send('/fmerest/v3/repositories', json('POST', { name: `r${round}`, description: padding })),
        ),
        note(
          'item',
          `i${round}.txt`,
          send('/fmerest/v3/repositories/fill/items', {
            method: 'POST',
            headers: { 'Content-Disposition': `attachment; filename="i${round}.txt"` },
            body: upload,
          }),
        ),
        note(
          'token update',
          `update ${round}`,
          send('/fmerest/v3/tokens/admin/driver', json('PUT', { description: `update ${round}` })),
        ),
      ];
      // Password hashing is slow on a shared machine: accounts and sign-ins every third round.
      if (round % 3 === 0) {
        writes.push(
          note(
            'account',
            `user${round}`,
            send(
              '/fmerest/v3/security/accounts',
              json('POST', { name: `user${round}`, password: 'a long enough password' }),
            ),
          ),
        );
        const signIn = call(
          '/fmerest/v3/login',
          json('POST', { user: 'admin', password: ADMIN_PASSWORD }),
          '',
        );
        writes.push(
          signIn.then(async (res) => {
            const key = res.status === 201 ? v.parse(SessionTokenSchema, await res.clone().json()).token : '';
            answers.push({
              kind: 'sign-in',
              key,
              status: res.status,
              retryAfter: res.headers.get('Retry-After'),
            });
            return res;
          }),
        );
      }
      const statuses = (await Promise.all(writes)).map((res) => res.status);
      fullRounds = statuses.every((status) => status === 503) ? fullRounds + 1 : 0;
    }

    const byStatus: Record<string, number> = {};
    for (const answer of answers) byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    console.log(`answers by status during the fill: ${JSON.stringify(byStatus)}`);
    expect(fullRounds, 'the disk never filled').toBe(5);
    expect(answers.filter((answer) => answer.status === 500)).toEqual([]);
    expect(Object.keys(byStatus).sort()).toEqual(['201', '204', '503']);
    for (const refused of answers.filter((answer) => answer.status === 503)) {
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    }

    // Space returns: the same process takes writes again, without a restart.
    mounted?.resize('16m');
    expect((await send('/fmerest/v3/tokens', json('POST', { name: 'after space' }))).status).toBe(201);

    // kill -9 and start again: every acknowledged write is there.
    await server.stop('SIGKILL');
    server = await startServer(env, dir);
    base = server.baseUrl;
    const read = async <T extends v.GenericSchema>(schema: T, path: string) =>
      v.parse(schema, await (await send(path, {})).json());
    const tokens = await read(TokenListSchema, '/fmerest/v3/tokens?limit=-1');
    const stored: Record<Kind, Set<string>> = {
      token: new Set(tokens.items.map((token) => token.name)),
      account: new Set(
        (await read(AccountListSchema, '/fmerest/v3/security/accounts')).items.map((a) => a.name),
      ),
      repository: new Set(
        (await read(RepositoryListSchema, '/fmerest/v3/repositories')).items.map((r) => r.name),
      ),
      item: new Set(
        (await read(ItemListSchema, '/fmerest/v3/repositories/fill/items')).items.map((i) => i.name),
      ),
      'token update': new Set([(await read(TokenSchema, '/fmerest/v3/tokens/admin/driver')).description]),
      'sign-in': new Set(),
    };
    for (const signIn of answers.filter((answer) => answer.kind === 'sign-in' && answer.status === 201)) {
      const res = await call('/fmerest/v3/info', {}, `fmetoken token=${signIn.key}`);
      if (res.status === 200) stored['sign-in'].add(signIn.key);
    }

    const lost: Answer[] = [];
    const report: string[] = [];
    for (const kind of Object.keys(stored) as Kind[]) {
      const acknowledged = answers.filter((answer) => answer.kind === kind && answer.status < 300);
      if (kind === 'token update') {
        // Updates are sequential: the stored description is the one the last 204 acknowledged.
        const last = acknowledged.at(-1);
        if (last && !stored[kind].has(last.key)) lost.push(last);
        report.push(`${kind}: last acknowledged ${last?.key} / stored ${[...stored[kind]].join()}`);
        continue;
      }
      const missing = acknowledged.filter((answer) => !stored[kind].has(answer.key));
      lost.push(...missing);
      report.push(
        `${kind}: ${acknowledged.length} acknowledged, ${acknowledged.length - missing.length} stored`,
      );
    }
    console.log(`after the restart:\n  ${report.join('\n  ')}`);
    expect(lost).toEqual([]);
    expect(stored.token.has('after space')).toBe(true);
  }, 180_000);
});
