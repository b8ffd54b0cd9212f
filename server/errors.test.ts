// The ready-made 401 is the same answer as a thrown one.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/fixtures/test-app';
import { unauthorizedResponse } from './errors';

describe('unauthorizedResponse', () => {
  it('has the status, body and headers of the 401 the error handler writes', async () => {
    const t = await createTestApp();
    const thrown = await t.app.request('/fmerest/v3/info');
    const ready = unauthorizedResponse();
    expect(ready.status).toBe(thrown.status);
    for (const name of ['Content-Type', 'WWW-Authenticate'])
      expect(ready.headers.get(name)).toBe(thrown.headers.get(name));
    expect(await ready.text()).toBe(await thrown.text());
    // A fresh answer each time: a body can be read only once.
    expect(unauthorizedResponse()).not.toBe(unauthorizedResponse());
    expect(await unauthorizedResponse().json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
