// What the new-token form sends: presets as durations, a date as the end of that day, permissions only when chosen.
import { describe, expect, it } from 'vitest';
import { aToken } from '../testing/token';
import { draftPermissions, draftToBody, duplicateBody, emptyDraft } from './token-draft';

const NOW = Date.parse('2026-11-22T10:00:00Z');

describe('draftToBody', () => {
  it('sends a preset as expirationTimeout and All Permissions as restricted: false', () => {
    expect(draftToBody({ ...emptyDraft(), name: ' ci ', expiry: '90d' }, NOW)).toEqual({
      ok: true,
      body: { name: 'ci', enabled: true, restricted: false, expirationTimeout: 90 * 86_400 },
    });
  });

  it('sends a date as the end of that day and refuses one in the past', () => {
    const checked = draftToBody({ ...emptyDraft(), name: 'dated', expiry: 'date', date: '2027-01-31' }, NOW);
    expect(checked.ok && checked.body.expirationDate).toBe(
      new Date('2027-01-31T23:59:59').toISOString().replace('.000', ''),
    );
    expect(draftToBody({ ...emptyDraft(), name: 'old', expiry: 'date', date: '2020-01-01' }, NOW)).toEqual({
      ok: false,
      message: 'The expiration date must be in the future.',
    });
  });

  it('sends the picked permissions, sorted, and refuses a restricted token with none', () => {
    const draft = {
      ...emptyDraft(),
      name: 'picked',
      restricted: true,
      general: ['runworkspace:access'],
      repositories: [
        { name: 'Samples', levels: ['run', 'read'] },
        { name: '', levels: ['write'] },
      ],
    };
    expect(draftPermissions(draft)).toEqual([
      'repository/Samples:read',
      'repository/Samples:run',
      'runworkspace:access',
    ]);
    expect(draftToBody({ ...emptyDraft(), name: 'none', restricted: true }, NOW)).toEqual({
      ok: false,
      message: 'Pick at least one permission, or choose All Permissions.',
    });
    expect(
      draftToBody(
        { ...emptyDraft(), name: 'bad', restricted: true, repositories: [{ name: 'a/b', levels: ['read'] }] },
        NOW,
      ).ok,
    ).toBe(false);
  });
});

describe('duplicateBody', () => {
  const source = (createdDate: string, expirationDate: string) =>
    aToken({ createdDate, lastSaveDate: createdDate, expirationDate });

  it("gives the copy the original's lifetime", () => {
    expect(
      duplicateBody(
        source('2026-11-01T10:00:00Z', '2026-11-08T10:00:00Z'),
        { name: 'c', expiry: 'same', date: '' },
        NOW,
      ),
    ).toEqual({ ok: true, body: { name: 'c', expirationTimeout: 7 * 86_400 } });
  });

  it('gives the copy of a ten-year token no more than the next ten calendar years', () => {
    // Its ten years hold three 29 Februaries (3,653 days); the ten from 2029-03-01 hold two.
    const tenYears = source('2026-11-22T10:00:00Z', '2036-11-22T10:00:00Z');
    const later = Date.parse('2029-03-01T10:00:00Z');
    const checked = duplicateBody(tenYears, { name: 'c', expiry: 'same', date: '' }, later);
    expect(checked).toEqual({ ok: true, body: { name: 'c', expirationTimeout: 3_652 * 86_400 } });
  });
});
