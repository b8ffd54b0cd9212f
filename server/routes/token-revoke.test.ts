import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditListSchema } from '../../shared/schemas/audit';
import { ErrorBodySchema } from '../../shared/schemas/error';
import { LeaseSchema } from '../../shared/schemas/lease';
import { CreatedTokenSchema, TokenListSchema, TokenSchema } from '../../shared/schemas/token';
import { createTokenValue } from '../../shared/token-format';
import { adminBasic, basic, createTestApp, fmetoken, jsonInit } from '../../test/fixtures/test-app';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
const UMA = basic('uma', 'uma password');

beforeEach(async () => {
  // In-memory requests have no socket; with `unknown` trusted, X-Forwarded-For names the client.
  t = await createTestApp({ app: { trustedProxies: ['unknown'] } });
  await t.addUser('uma', 'uma password', ['fmeuser']);
});

function report(tokens: unknown, client = '192.0.2.1') {
  return t.app.request('/fmerest/v3/tokens/revoke', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify({ tokens }),
  });
}

async function createToken(name: string) {
  const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', UMA, { name }));
  expect(res.status).toBe(201);
  return v.parse(CreatedTokenSchema, await res.json());
}

const details = async (name: string) =>
  v.parse(
    TokenSchema,
    await (await t.app.request(`/fmerest/v3/tokens/uma/${name}`, { headers: { Authorization: UMA } })).json(),
  );
const info = async (authorization: string) =>
  (await t.app.request('/fmerest/v3/info', { headers: { Authorization: authorization } })).status;

describe('POST /fmerest/v3/tokens/revoke', () => {
  it('disables a reported token and marks it exposed, in details, lists and the audit trail', async () => {
    const leaked = await createToken('leaked');
    const kept = await createToken('kept');
    expect(await info(fmetoken(leaked.token))).toBe(200);
    t.clock.advance(60);
    const res = await report([leaked.token]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({});
    expect(await info(fmetoken(leaked.token))).toBe(401);
    expect(await info(fmetoken(kept.token))).toBe(200);
    expect(await details('leaked')).toMatchObject({
      enabled: false,
      exposed: true,
      exposedDate: '2026-11-22T10:01:00Z',
    });
    expect(await details('kept')).toMatchObject({ enabled: true, exposed: false, exposedDate: null });
    const list = v.parse(
      TokenListSchema,
      await (await t.app.request('/fmerest/v3/tokens', { headers: { Authorization: UMA } })).json(),
    );
    expect(list.items.find((token) => token.name === 'leaked')).toMatchObject({ exposed: true });
    const audit = v.parse(
      AuditListSchema,
      await (await t.app.request('/fmerest/v3/security/audit', { headers: { Authorization: UMA } })).json(),
    );
    expect(audit.items.filter((event) => event.event === 'exposed')).toEqual([
      expect.objectContaining({ token: 'leaked', time: '2026-11-22T10:01:00Z', client: '192.0.2.1' }),
    ]);
  });

  it('answers the same 202 {} for real, unknown and mangled values: no oracle', async () => {
    const real = await createToken('real');
    const unknown = createTokenValue();
    const mangled = `${real.token.slice(0, 39)}${real.token.endsWith('0') ? '1' : '0'}`;
    const answers = [];
    for (const tokens of [[real.token], [unknown], [mangled], ['not a token at all']]) {
      const res = await report(tokens);
      answers.push({ status: res.status, body: await res.text(), type: res.headers.get('Content-Type') });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.status).toBe(202);
  });

  it('drops a value with a bad checksum before any lookup: its token goes on working', async () => {
    const token = await createToken('typo');
    const mangled = `${token.token.slice(0, 39)}${token.token.endsWith('0') ? '1' : '0'}`;
    expect((await report([mangled])).status).toBe(202);
    expect(await info(fmetoken(token.token))).toBe(200);
    expect((await details('typo')).exposed).toBe(false);
  });

  it('ends a reported lease, and only it', async () => {
    const parent = await createToken('parent');
    const res = await t.app.request('/fmerest/v3/tokens/uma/parent/leases', jsonInit('POST', UMA, {}));
    const lease = v.parse(LeaseSchema, await res.json()).token;
    expect(await info(fmetoken(lease))).toBe(200);
    expect((await report([lease])).status).toBe(202);
    expect(await info(fmetoken(lease))).toBe(401);
    expect(await info(fmetoken(parent.token))).toBe(200);
  });

  it('takes 1 to 100 values, and nothing else (422 naming tokens)', async () => {
    const many = Array.from({ length: 101 }, () => createTokenValue());
    for (const tokens of [[], many, 'abc', [1]]) {
      const res = await report(tokens);
      expect(res.status, JSON.stringify(tokens).slice(0, 20)).toBe(422);
      const fields = Object.keys(Object(v.parse(ErrorBodySchema, await res.json()).details?.fields));
      expect(fields.some((field) => field.startsWith('tokens'))).toBe(true);
    }
    expect((await report(many.slice(0, 100))).status).toBe(202);
  });

  it('limits each address, not everyone (429 with Retry-After)', async () => {
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await report([createTokenValue()], '198.51.100.7')).status);
    expect(statuses.slice(0, 10).every((status) => status === 202)).toBe(true);
    const limited = await report([createTokenValue()], '198.51.100.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await report([createTokenValue()], '198.51.100.8')).status).toBe(202);
    // A flood from a refused address is refused without a write each, until its window ends.
    const count = t.store.countRequest;
    let counted = 0;
    t.store.countRequest = (...args) => {
      counted++;
      return count(...args);
    };
    for (let i = 0; i < 20; i++)
      expect((await report([createTokenValue()], '198.51.100.7')).status).toBe(429);
    expect(counted).toBe(0);
    t.clock.advance(61);
    expect((await report([createTokenValue()], '198.51.100.7')).status).toBe(202);
    expect(counted).toBe(1);
    // Administrators' tokens are reported the same way; nothing about them leaks to the reporter.
    const res = await t.app.request('/fmerest/v3/tokens', jsonInit('POST', adminBasic, { name: 'ops' }));
    expect(res.status).toBe(201);
  });
});
