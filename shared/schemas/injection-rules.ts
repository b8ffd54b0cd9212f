// Header-injection rules: the stored rule and the export/import format (which never carries a token value).
import * as v from 'valibot';

/** Request types a rule may name; listed explicitly in every DNR rule (without them main_frame is left out). */
export const RESOURCE_TYPES = [
  'main_frame',
  'sub_frame',
  'xmlhttprequest',
  'script',
  'stylesheet',
  'image',
  'font',
  'media',
  'websocket',
  'ping',
  'other',
] as const;
export const ResourceTypeSchema = v.picklist(RESOURCE_TYPES);
export type ResourceType = v.InferOutput<typeof ResourceTypeSchema>;

export const MAX_RULES = 500;
export const MAX_PATTERNS_PER_RULE = 50;

/** A token by where it lives and whose it is: rules never hold a pasted value. */
export const TokenRefSchema = v.object({
  server: v.pipe(v.string(), v.minLength(1), v.maxLength(2048)),
  user: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
});
export type TokenRef = v.InferOutput<typeof TokenRefSchema>;

const PatternTextSchema = v.pipe(v.string(), v.maxLength(2048));

/** What a user decides about a rule; the same fields are exported. */
const RuleFields = {
  token: TokenRefSchema,
  /** `host[:port][/path-prefix]` (optionally `http://` or `https://` first, `*.` for subdomains) or `/regex/`. */
  patterns: v.pipe(
    v.array(PatternTextSchema),
    v.minLength(1, 'needs at least one URL pattern'),
    v.maxLength(MAX_PATTERNS_PER_RULE),
  ),
  /** Absent: every type in RESOURCE_TYPES. */
  resourceTypes: v.optional(v.pipe(v.array(ResourceTypeSchema), v.minLength(1))),
  /**
   * Host names of the pages whose requests get the header. Absent (and no anyPage): the requests of pages on the
   * target's own site, and top-level navigations with a safe method (typed, bookmarked, a followed link).
   */
  initiators: v.optional(v.array(v.pipe(v.string(), v.maxLength(253)))),
  /** The user chose and confirmed that requests any page starts get the header (never with initiators). */
  anyPage: v.optional(v.boolean()),
  enabled: v.boolean(),
  /** The user confirmed a pattern that matches every site ("This sends your token to every site you visit"). */
  allowBroad: v.optional(v.boolean()),
};

export const InjectionRuleSchema = v.object({
  /** Stable number; the DNR rule ids derive from it, so the same rules always give the same ids. */
  id: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_RULES * 1000)),
  ...RuleFields,
  /** Tab-scoped: a session rule for this tab only, dropped when the tab closes or the browser restarts. */
  tabId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type InjectionRule = v.InferOutput<typeof InjectionRuleSchema>;

/** One rule in an export file: no id, no tab, and (strictly) no value or any other extra field. */
export const ExportedRuleSchema = v.strictObject(RuleFields);
export type ExportedRule = v.InferOutput<typeof ExportedRuleSchema>;

export const RULES_EXPORT_FORMAT = 'tokenward-rules';

/** The file a user exports and imports. Rules are checked one by one on import, so only the envelope is strict here. */
export const RulesExportSchema = v.object({
  format: v.literal(RULES_EXPORT_FORMAT),
  version: v.literal(1),
  rules: v.pipe(v.array(v.unknown()), v.maxLength(MAX_RULES)),
});
export type RulesExport = v.InferOutput<typeof RulesExportSchema>;
