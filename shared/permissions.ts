// The permission catalogue of SPEC §4: categories, their levels, and the item-level repository form.
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

const REPOSITORY_PERMISSION = /^repository\/([^:/]{1,128}):([a-z]+)$/;
const LEVELS_BY_CATEGORY = new Map<string, readonly string[]>(Object.entries(GENERAL_CATEGORIES));
const GENERAL_PERMISSION = /^([a-z]+):([a-z]+)$/;

/** True for `<category>:<level>` or `repository/<name|*>:<level>` naming a level that exists. */
export function isKnownPermission(permission: string): boolean {
  const item = REPOSITORY_PERMISSION.exec(permission);
  if (item) return (REPOSITORY_LEVELS as readonly string[]).includes(item[2] as string);
  const general = GENERAL_PERMISSION.exec(permission);
  if (!general) return false;
  return LEVELS_BY_CATEGORY.get(general[1] as string)?.includes(general[2] as string) ?? false;
}

const ALL_REPOSITORIES = 'repository/*';

function levelsOf(category: keyof typeof GENERAL_CATEGORIES, levels: readonly string[]): string[] {
  return levels.map((level) => `${category}:${level}`);
}

const everyGeneralPermission = Object.entries(GENERAL_CATEGORIES).flatMap(([category, levels]) =>
  levels.map((level) => `${category}:${level}`),
);

/** The built-in roles of SPEC §4. */
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

/** Every permission the roles grant, sorted, without repeats; unknown roles grant nothing. */
export function permissionsOfRoles(roles: readonly string[]): string[] {
  return [...new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []))].sort();
}

/** True when `held` grants `permission`; `repository/*:<level>` grants that level on every repository. */
export function holdsPermission(held: readonly string[], permission: string): boolean {
  if (held.includes(permission)) return true;
  const item = REPOSITORY_PERMISSION.exec(permission);
  return item !== null && held.includes(`${ALL_REPOSITORIES}:${item[2]}`);
}
