// Sign-in turns belong to one app: a burst against one server does not refuse sign-ins to another in the process.
import { describe, expect, it } from 'vitest';
import { adminBasic, createTestApp } from '../../test/fixtures/test-app';

describe('password sign-in turns', () => {
  it('are per app, not shared by every app in the process', async () => {
    const busy = await createTestApp();
    const quiet = await createTestApp();
    const headers = { Authorization: adminBasic };
    // Eight attempts fill one account's queue in `busy`; the ninth, sent in the same tick to `quiet`, must not
    // be counted against that queue.
    const burst = Array.from({ length: 8 }, () => busy.app.request('/fmerest/v3/info', { headers }));
    const other = quiet.app.request('/fmerest/v3/info', { headers });
    expect((await other).status).toBe(200);
    expect((await Promise.all(burst)).map((response) => response.status)).toEqual(Array(8).fill(200));
  });
});
