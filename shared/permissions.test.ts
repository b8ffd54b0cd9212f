import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  describeCatalogue,
  directDependencies,
  holdsPermission,
  isKnownPermission,
  missingDependencies,
  permissionsOfRoles,
} from './permissions';
import { PermissionCatalogueSchema } from './schemas/permissions';

describe('isKnownPermission', () => {
  it.each([
    ['repositories:access', true],
    ['usermanagement:manage', true],
    ['runworkspace:access', true],
    ['repository/Samples:run', true],
    ['repository/*:manage', true],
    ['repository/My Repo:download', true],
    ['runworkspace:manage', false],
    ['repositories:read', false],
    ['repository/Samples:access', false],
    ['repository/:read', false],
    ['repository/a/b:read', false],
    ['nothing:access', false],
    ['repositories', false],
    ['Repositories:Access', false],
  ])('%s → %s', (permission, known) => {
    expect(isKnownPermission(permission)).toBe(known);
  });
});

describe('directDependencies', () => {
  it.each([
    ['repositories:access', []],
    ['repositories:create', ['repositories:access']],
    ['repositories:manage', ['repositories:access']],
    ['repository/Samples:read', ['repositories:access']],
    ['repository/Samples:write', ['repositories:access', 'repository/Samples:read']],
    ['repository/Samples:download', ['repositories:access', 'repository/Samples:read']],
    ['repository/Samples:manage', ['repositories:access', 'repository/Samples:read']],
    ['repository/Samples:run', ['repositories:access', 'repository/Samples:read', 'runworkspace:access']],
    ['runworkspace:access', []],
    ['jobs:access', []],
    ['jobs:manage', ['jobs:access']],
    ['automations:access', ['repositories:access', 'runworkspace:access']],
    ['automations:create', ['repositories:access', 'runworkspace:access', 'automations:access']],
    ['automations:manage', ['repositories:access', 'runworkspace:access', 'automations:access']],
    ['schedules:access', ['repositories:access', 'runworkspace:access']],
    ['schedules:create', ['repositories:access', 'runworkspace:access', 'schedules:access']],
    ['resources:manage', ['resources:access']],
    ['usermanagement:manage', ['usermanagement:access']],
  ])('%s needs %o', (permission, needs) => {
    expect(directDependencies(permission)).toEqual(needs);
  });
});

describe('missingDependencies: the closure a client offers as "Grant additional permissions"', () => {
  it.each([
    [['repository/Samples:run'], ['repositories:access', 'repository/Samples:read', 'runworkspace:access']],
    [
      ['repository/Samples:run', 'repository/Samples:read'],
      ['repositories:access', 'runworkspace:access'],
    ],
    [['repositories:access', 'repository/Samples:read', 'repository/Samples:run', 'runworkspace:access'], []],
    [['automations:manage'], ['automations:access', 'repositories:access', 'runworkspace:access']],
    [
      ['jobs:manage', 'usermanagement:manage'],
      ['jobs:access', 'usermanagement:access'],
    ],
    // A wildcard read satisfies a named repository's need for read.
    [['repositories:access', 'repository/*:read', 'repository/Samples:write'], []],
    [['repository/*:download'], ['repositories:access', 'repository/*:read']],
    [[], []],
  ])('%o is missing %o', (permissions, missing) => {
    expect(missingDependencies(permissions)).toEqual(missing);
  });

  it('closes over every permission of every built-in role (roles are self-consistent)', () => {
    for (const role of ['fmeadmin', 'fmeauthor', 'fmeuser', 'fmeguest']) {
      expect(missingDependencies(permissionsOfRoles([role])), role).toEqual([]);
    }
  });
});

describe('roles and holding', () => {
  it.each([
    [['fmeadmin'], 'repository/Anything:manage', true],
    [['fmeadmin'], 'usermanagement:manage', true],
    [['fmeauthor'], 'repositories:create', true],
    [['fmeauthor'], 'repository/X:write', true],
    [['fmeauthor'], 'repository/X:manage', false],
    [['fmeauthor'], 'usermanagement:access', false],
    [['fmeuser'], 'repository/X:download', true],
    [['fmeuser'], 'repository/X:write', false],
    [['fmeuser'], 'repositories:create', false],
    [['fmeguest'], 'repository/Samples:run', true],
    [['fmeguest'], 'repository/Other:read', false],
    [['fmeguest'], 'repository/Samples:download', false],
    [['fmeguest', 'fmeuser'], 'repository/Other:read', true],
    [['no such role'], 'repositories:access', false],
    [[], 'repositories:access', false],
  ])('%o holds %s: %s', (roles, permission, held) => {
    expect(holdsPermission(permissionsOfRoles(roles), permission)).toBe(held);
  });

  it('a named repository grant does not stand for all repositories', () => {
    expect(holdsPermission(['repository/Samples:read'], 'repository/*:read')).toBe(false);
    expect(holdsPermission(['repository/Samples:read'], 'repository/Other:read')).toBe(false);
  });
});

describe('describeCatalogue', () => {
  it('lists every category with labels, levels and dependencies, in the published shape', () => {
    const catalogue = v.parse(PermissionCatalogueSchema, describeCatalogue());
    expect(catalogue.categories.map((c) => c.name)).toEqual([
      'repositories',
      'runworkspace',
      'jobs',
      'automations',
      'schedules',
      'resources',
      'usermanagement',
      'repository',
    ]);
    const repository = catalogue.categories.find((c) => c.name === 'repository');
    expect(repository?.itemType).toBe('repository');
    expect(repository?.levels.find((l) => l.name === 'run')).toEqual({
      name: 'run',
      label: 'Run',
      permission: 'repository/<name>:run',
      dependsOn: ['repositories:access', 'repository/<name>:read', 'runworkspace:access'],
    });
    expect(catalogue.categories.find((c) => c.name === 'usermanagement')?.label).toBe('User Management');
    expect(catalogue.roles.fmeguest).toContain('repository/Samples:run');
  });
});
