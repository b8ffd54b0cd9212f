// Repositories and items as the v3 and v4 APIs show them: FME's field names beside tokenward's.
import type { RepositoryV4, WorkspaceV4 } from '../../shared/schemas/fme-v4';
import type { Item, Repository } from '../../shared/schemas/repository';
import type { ItemRecord, RepositoryRecord } from '../store/store';
import { toApiDate } from '../time';

export type OwnerNames = ReadonlyMap<number, string>;

const ownerOf = (record: RepositoryRecord, owners: OwnerNames): string | null =>
  record.ownerId === null ? null : (owners.get(record.ownerId) ?? null);

/** FME titles a workspace by its name without the extension. */
const titleOf = (name: string): string => name.replace(/\.[^.]+$/, '') || name;

export function toRepository(record: RepositoryRecord, owners: OwnerNames): Repository {
  return {
    name: record.name,
    description: record.description,
    owner: ownerOf(record, owners),
    sharable: true,
    createdDate: toApiDate(record.createdAt),
  };
}

export function toRepositoryV4(
  record: RepositoryRecord,
  owners: OwnerNames,
  items: readonly ItemRecord[],
): RepositoryV4 {
  const count = (type: string) => items.filter((item) => item.type === type).length;
  return {
    ...toRepository(record, owners),
    ownerID: record.ownerId === null ? null : String(record.ownerId),
    fileCount: items.length,
    totalFileSize: items.reduce((sum, item) => sum + item.size, 0),
    workspaceCount: count('WORKSPACE'),
    customFormatCount: count('CUSTOM_FORMAT'),
    customTransformerCount: count('CUSTOM_TRANSFORMER'),
    templateCount: count('TEMPLATE'),
  };
}

/** Uploading is publishing: an item's save and publish dates are when it was uploaded, never empty. */
export function toItem(repository: RepositoryRecord, record: ItemRecord, owners: OwnerNames): Item {
  const uploaded = toApiDate(record.createdAt);
  return {
    name: record.name,
    title: titleOf(record.name),
    description: '',
    repository: repository.name,
    repositoryName: repository.name,
    type: record.type,
    contentType: record.contentType,
    size: record.size,
    fileSize: record.size,
    totalFileSize: record.size,
    fileCount: 1,
    totalRuns: 0,
    userName: ownerOf(repository, owners),
    lastSaveDate: uploaded,
    lastPublishDate: uploaded,
    lastModified: uploaded,
  };
}

export function toWorkspaceV4(
  repository: RepositoryRecord,
  record: ItemRecord,
  owners: OwnerNames,
): WorkspaceV4 {
  const item = toItem(repository, record, owners);
  return {
    name: item.name,
    title: item.title,
    description: item.description,
    repositoryName: item.repositoryName,
    type: item.type,
    lastSaveDate: item.lastSaveDate,
    lastPublishDate: item.lastPublishDate,
    lastPublishUser: item.userName,
    userName: item.userName,
    fileSize: item.fileSize,
    totalFileSize: item.totalFileSize,
    fileCount: item.fileCount,
    totalRuns: item.totalRuns,
    favorite: false,
  };
}
