// The permission catalogue as served by GET /fmerest/v3/security/permissions, for pickers to build on.
import * as v from 'valibot';

export const PermissionLevelSchema = v.object({
  name: v.string(),
  label: v.string(),
  /** `category:level`, or `repository/<name>:level` for item-level permissions. */
  permission: v.string(),
  dependsOn: v.array(v.string()),
});

export const PermissionCategorySchema = v.object({
  name: v.string(),
  label: v.string(),
  /** `repository` for item-level categories, null for general ones. */
  itemType: v.nullable(v.literal('repository')),
  levels: v.array(PermissionLevelSchema),
});

export const PermissionCatalogueSchema = v.pipe(
  v.object({
    categories: v.array(PermissionCategorySchema),
    roles: v.record(v.string(), v.array(v.string())),
  }),
  v.metadata({ ref: 'PermissionCatalogue' }),
);
export type PermissionCatalogue = v.InferOutput<typeof PermissionCatalogueSchema>;
