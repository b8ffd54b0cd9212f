// The permission catalogue as data: categories, levels, labels, dependencies, and the built-in roles.
import type { PermissionCatalogue } from './schemas/permissions';
export const GENERAL_CATEGORIES = {
  repositories: ['access', 'create', 'manage'],
  runworkspace: ['access'],
  jobs: ['access', 'manage'],
  automations: ['access', 'create', 'manage'],
  schedules: ['access', 'create', 'manage'],
  resources: ['access', 'manage'],
  usermanagement: ['access', 'manage'],
} as const satisfies Record<string, readonly string[]>;

export const REPOSITORY_LEVELS = ['read', 'write', 'run', 'download', 'manage'] as const;

export const CATEGORY_LABELS: Record<keyof typeof GENERAL_CATEGORIES | 'repository', string> = {
  repositories: 'Repositories',
  repository: 'Repository',
  runworkspace: 'Run Workspace',
  jobs: 'Jobs',
  automations: 'Automations',
  schedules: 'Schedules',
  resources: 'Resources',
  usermanagement: 'User Management',
};

export const LEVEL_LABELS: Record<string, string> = {
  access: 'Access',
  create: 'Create',
  manage: 'Manage',
  read: 'Read',
  write: 'Write',
  run: 'Run',
  download: 'Download',
};

const REPOSITORY_PERMISSION = /^repository\/([^:/]{1,128}):([a-z]+)$/;
const GENERAL_PERMISSION = /^([a-z]+):([a-z]+)$/;
const LEVELS_BY_CATEGORY = new Map<string, readonly string[]>(Object.entries(GENERAL_CATEGORIES));
const ALL_REPOSITORIES = 'repository/*';

/** True for `<category>:<level>` or `repository/<name|*>:<level>` naming a level that exists. */
export function isKnownPermission(permission: string): boolean {
  const item = REPOSITORY_PERMISSION.exec(permission);
  if (item) return (REPOSITORY_LEVELS as readonly string[]).includes(item[2] as string);
  const general = GENERAL_PERMISSION.exec(permission);
  if (!general) return false;
  return LEVELS_BY_CATEGORY.get(general[1] as string)?.includes(general[2] as string) ?? false;
}

/** The permissions `permission` directly depends on. */
export function directDependencies(permission: string): string[] {
  const item = REPOSITORY_PERMISSION.exec(permission);
  if (item) {
    const [, repository, level] = item;
    const needs = ['repositories:access'];
    if (level !== 'read') needs.push(`repository/${repository}:read`);
    if (level === 'run') needs.push('runworkspace:access');
    return needs;
  }
  const general = GENERAL_PERMISSION.exec(permission);
  if (!general) return [];
  const [, category, level] = general;
  const needs: string[] = [];
  if (category === 'automations' || category === 'schedules')
    needs.push('repositories:access', 'runworkspace:access');
  if (level !== 'access' && LEVELS_BY_CATEGORY.get(category as string)?.includes('access'))
    needs.push(`${category}:access`);
  return needs;
}

/** Everything the given permissions depend on, transitively, that they do not already grant; sorted. */
export function missingDependencies(permissions: readonly string[]): string[] {
  const granted = [...permissions];
  const missing = new Set<string>();
  const queue = [...permissions];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const needed of directDependencies(next)) {
      if (holdsPermission(granted, needed) || missing.has(needed)) continue;
      missing.add(needed);
      granted.push(needed);
      queue.push(needed);
    }
  }
  return [...missing].sort();
}

function levelsOf(category: keyof typeof GENERAL_CATEGORIES, levels: readonly string[]): string[] {
  return levels.map((level) => `${category}:${level}`);
}

const everyGeneralPermission = Object.entries(GENERAL_CATEGORIES).flatMap(([category, levels]) =>
  levels.map((level) => `${category}:${level}`),
);

/** The built-in roles. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  fmeadmin: [...everyGeneralPermission, ...REPOSITORY_LEVELS.map((level) => `${ALL_REPOSITORIES}:${level}`)],
  fmeauthor: [
    ...levelsOf('repositories', ['access', 'create']),
    ...['read', 'write', 'run', 'download'].map((level) => `${ALL_REPOSITORIES}:${level}`),
    'runworkspace:access',
    'jobs:access',
    ...levelsOf('automations', ['access', 'create']),
    ...levelsOf('schedules', ['access', 'create']),
    'resources:access',
  ],
  fmeuser: [
    'repositories:access',
    ...['read', 'run', 'download'].map((level) => `${ALL_REPOSITORIES}:${level}`),
    'runworkspace:access',
    'jobs:access',
    'resources:access',
  ],
  fmeguest: [
    'repositories:access',
    'repository/Samples:read',
    'repository/Samples:run',
    'runworkspace:access',
  ],
};

export const ROLE_NAMES = Object.keys(ROLE_PERMISSIONS);

/** Managing accounts: the last enabled account holding it cannot lose it. */
export const MANAGE_USERS = 'usermanagement:manage';

/** The built-in roles that grant `permission`. */
export function rolesGranting(permission: string): string[] {
  return ROLE_NAMES.filter((role) => holdsPermission(ROLE_PERMISSIONS[role] ?? [], permission));
}

/** Every permission the roles grant, sorted, without repeats; unknown roles grant nothing. */
export function permissionsOfRoles(roles: readonly string[]): string[] {
  return [...new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []))].sort();
}

/** What an account holds: its roles' permissions, plus every level on each repository it created. */
export function permissionsOfOwner(roles: readonly string[], ownedRepositories: readonly string[]): string[] {
  const fromRepositories = ownedRepositories.flatMap((name) =>
    REPOSITORY_LEVELS.map((level) => `repository/${name}:${level}`),
  );
  return [...new Set([...permissionsOfRoles(roles), ...fromRepositories])].sort();
}

/** True when `held` grants `permission`; `repository/*:<level>` grants that level on every repository. */
export function holdsPermission(held: readonly string[], permission: string): boolean {
  if (held.includes(permission)) return true;
  const item = REPOSITORY_PERMISSION.exec(permission);
  return item !== null && held.includes(`${ALL_REPOSITORIES}:${item[2]}`);
}

/** The catalogue as served by GET /fmerest/v3/security/permissions, built from the data above. */
export function describeCatalogue(): PermissionCatalogue {
  const general = Object.entries(GENERAL_CATEGORIES).map(([name, levels]) => ({
    name,
    label: CATEGORY_LABELS[name as keyof typeof CATEGORY_LABELS],
    itemType: null as null,
    levels: levels.map((level) => ({
      name: level,
      label: LEVEL_LABELS[level] ?? level,
      permission: `${name}:${level}`,
      dependsOn: directDependencies(`${name}:${level}`),
    })),
  }));
  const repository = {
    name: 'repository',
    label: CATEGORY_LABELS.repository,
    itemType: 'repository' as const,
    levels: REPOSITORY_LEVELS.map((level) => ({
      name: level,
      label: LEVEL_LABELS[level] ?? level,
      permission: `repository/<name>:${level}`,
      dependsOn: directDependencies(`repository/<name>:${level}`),
    })),
  };
  const roles = Object.fromEntries(
    Object.entries(ROLE_PERMISSIONS).map(([role, granted]) => [role, [...granted]]),
  );
  return { categories: [...general, repository], roles };
}
