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
