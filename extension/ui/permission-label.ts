// Permission ids in words ("Repository Samples: Read"), for the dependency offer and token details.
import { CATEGORY_LABELS, LEVEL_LABELS } from '../../shared/permissions';

const REPOSITORY_PERMISSION = /^repository\/([^:/]+):([a-z]+)$/;
const GENERAL_PERMISSION = /^([a-z]+):([a-z]+)$/;

function levelLabel(level: string): string {
  return LEVEL_LABELS[level] ?? level;
}

export function permissionLabel(permission: string): string {
  const item = REPOSITORY_PERMISSION.exec(permission);
  if (item) {
    const [, name = '', level = ''] = item;
    const where = name === '*' ? 'Every repository' : `Repository ${name}`;
    return `${where}: ${levelLabel(level)}`;
  }
  const general = GENERAL_PERMISSION.exec(permission);
  if (!general) return permission;
  const [, category = '', level = ''] = general;
  const label = (CATEGORY_LABELS as Record<string, string>)[category] ?? category;
  return `${label}: ${levelLabel(level)}`;
}
