// The 403 explanation for each kind of token, from what the token and its owner really hold.
import { describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../../shared/permissions';
import { aToken } from '../../testing/token';
import { refusalAdvice } from './refusal-advice';

const ADMIN = [...(ROLE_PERMISSIONS.fmeadmin ?? [])];
const GUEST = [...(ROLE_PERMISSIONS.fmeguest ?? [])];
const WRITE = 'repository/Samples:write';

describe('refusalAdvice', () => {
  it('All Permissions, owner holds it (repository/* covers the repository): no offer, and no claim the owner lacks it', () => {
    const advice = refusalAdvice(aToken({}), ADMIN, [WRITE]);
    expect(advice.offer).toEqual([]);
    expect(advice.text).toContain('“ci” has All Permissions');
    expect(advice.text).toContain('admin holds Repository Samples: Write');
    expect(advice.text).toContain('the refusal is not about this token');
    expect(advice.text).not.toMatch(/lacks|does not hold/);
  });

  it('All Permissions, owner lacks it: no offer; an administrator has to grant it to the owner', () => {
    const advice = refusalAdvice(aToken({ user: 'gus' }), GUEST, [WRITE]);
    expect(advice.offer).toEqual([]);
    expect(advice.text).toContain('gus does not hold Repository Samples: Write');
    expect(advice.text).toContain('an administrator has to give gus a role');
  });

  it('restricted, owner holds it: offers exactly what the token lacks', () => {
    const restricted = aToken({
      restricted: true,
      permissions: ['repositories:access', 'repository/Samples:read'],
    });
    const advice = refusalAdvice(restricted, ADMIN, [WRITE, 'repository/Samples:read']);
    expect(advice.offer).toEqual([WRITE]);
    expect(advice.text).toContain('“ci” does not carry Repository Samples: Write, which admin holds');
    expect(advice.text).toContain('admin holds Repository Samples: Read and “ci” carries it');
  });

  it('restricted, owner lacks it: no offer, since the token cannot carry more than its owner holds', () => {
    const restricted = aToken({ user: 'gus', restricted: true, permissions: ['repositories:access'] });
    const advice = refusalAdvice(restricted, GUEST, [WRITE]);
    expect(advice.offer).toEqual([]);
    expect(advice.text).toContain('gus does not hold Repository Samples: Write');
  });

  it("restricted, owner's permissions unknown: offers it, saying the server decides", () => {
    const restricted = aToken({ restricted: true, permissions: ['repositories:access'] });
    const advice = refusalAdvice(restricted, null, [WRITE]);
    expect(advice.offer).toEqual([WRITE]);
    expect(advice.text).toContain('only if admin holds it');
  });

  it('session: never an offer; it carries all of its owner’s permissions', () => {
    const session = aToken({ name: 'web session 3', type: 'SESSION', source: 'web' });
    const holds = refusalAdvice(session, ADMIN, [WRITE]);
    expect(holds.offer).toEqual([]);
    expect(holds.text).toContain('“web session 3” is a session of admin');
    expect(holds.text).not.toMatch(/lacks|does not hold/);
    const lacks = refusalAdvice({ ...session, user: 'gus' }, GUEST, [WRITE]);
    expect(lacks.offer).toEqual([]);
    expect(lacks.text).toContain('gus does not hold Repository Samples: Write');
  });
});
