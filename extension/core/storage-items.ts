// Typed storage items of the extension; every read and write goes through these. Secrets only in `session:`.
import * as v from 'valibot';
import { storage } from 'wxt/utils/storage';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import { needsConfirmation, type RuleStatus, type TokenState } from './dnr-rules';
import { DEFAULT_SERVER_URL } from './server-url';

/** The part of a storage item that modules taking it as a dependency use (tests may pass a fake). */
export interface ValueItem<T> {
  getValue(): Promise<T>;
  setValue(value: T): Promise<void>;
}

/** Base URL of the tokenward server the popup talks to now (the active one of the saved servers). */
export const serverUrlItem = storage.defineItem<string>('local:serverUrl', {
  fallback: DEFAULT_SERVER_URL,
  version: 1,
});

/** Every server the user saved, in the order they were added; switching picks one of these. */
export const savedServersItem = storage.defineItem<string[]>('local:savedServers', {
  fallback: [],
  version: 1,
});

export const UiPrefsSchema = v.object({
  tab: v.picklist(['USER', 'SESSION']),
  status: v.picklist(['active', 'expired']),
});
export type UiPrefs = v.InferOutput<typeof UiPrefsSchema>;

/** Which tab the popup opens on: the one the user left it on. */
export const uiPrefsItem = storage.defineItem<UiPrefs>('local:uiPrefs', {
  fallback: { tab: 'USER', status: 'active' },
  version: 1,
});

export const StoredCredentialSchema = v.object({
  /** `session`: a web session from signing in (signed out on the server when the user signs out). */
  kind: v.picklist(['session', 'token']),
  value: v.string(),
  user: v.string(),
  /** The name of the session or token this credential is: disabling or removing that token signs out. */
  name: v.optional(v.string()),
});
export type StoredCredential = v.InferOutput<typeof StoredCredentialSchema>;

/** The credential for each server URL: session or pasted API token values. Never a password. */
export const credentialsItem = storage.defineItem<Record<string, StoredCredential>>('session:credentials', {
  fallback: {},
  version: 1,
});

export const SignOutSchema = v.object({
  /** `disabled`/`removed`: the user switched off or removed the token this browser was signed in with;
   * `ended`: the server refused the credential (lapsed, revoked); `signed-out`: Sign out was pressed. */
  cause: v.picklist(['disabled', 'removed', 'ended', 'signed-out']),
  /** The session's or token's name, when the cause is the user's own change to it. */
  name: v.optional(v.string()),
  /** What the dropped credential was: a web session or a pasted API token. */
  credential: v.optional(v.picklist(['session', 'token'])),
  /** When it happened: every sign-out is a change, so pages watching this item hear each one. */
  at: v.number(),
});
export type SignOut = v.InferOutput<typeof SignOutSchema>;

/** Why the credential of each server was last dropped; every open page follows it to its sign-in form. */
export const signOutsItem = storage.defineItem<Record<string, SignOut>>('session:signOuts', {
  fallback: {},
  version: 1,
});

export const KeptTokenSchema = v.object({
  server: v.string(),
  user: v.string(),
  name: v.string(),
  value: v.string(),
});
export type KeptToken = v.InferOutput<typeof KeptTokenSchema>;

/** Values the user chose to keep for injection rules, by server + owner + name: gone when the browser closes. */
export const keptTokensItem = storage.defineItem<KeptToken[]>('session:keptTokens', {
  fallback: [],
  version: 1,
});

export const SealedSchema = v.object({ iv: v.string(), data: v.string() });
/** AES-GCM ciphertext and its IV, both base64. */
export type Sealed = v.InferOutput<typeof SealedSchema>;

/** The same values, only when the user opted in to keep them on this device (settings: keepValuesOnDevice):
 * sealed under a key kept in its own file (device-key.ts), so destroying that file on opt-out leaves nothing
 * readable behind in the storage's LevelDB files, which keep deleted records until compaction. */
export const sealedTokensItem = storage.defineItem<Sealed | null>('local:sealedTokens', {
  fallback: null,
  version: 1,
});

/** Older versions kept the values here in plain text; read once at start-up, sealed or dropped, then removed. */
export const legacyDeviceTokensItem = storage.defineItem<KeptToken[]>('local:keptTokens', {
  fallback: [],
  version: 1,
});

/** Tokens the server confirmed in this browser session (by tokenKey): values restored from the device at
 * start-up inject only once their token is in here. Session storage, so a browser restart empties it. */
export const confirmedTokensItem = storage.defineItem<string[]>('session:confirmedTokens', {
  fallback: [],
  version: 1,
});

export const InjectionSettingsSchema = v.object({
  /** The global pause switch: no rule injects while it is on. */
  paused: v.boolean(),
  /** How often every bound token is checked with its server. */
  refreshSeconds: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 3600)),
  /** Token values in `local:` (they survive a browser restart) instead of `session:`. */
  keepValuesOnDevice: v.boolean(),
  /** How long each lease a rule sends lives, in seconds (the server's default when absent). */
  leaseSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(3600))),
});
export type InjectionSettings = v.InferOutput<typeof InjectionSettingsSchema>;

export const DEFAULT_INJECTION_SETTINGS: InjectionSettings = {
  paused: false,
  refreshSeconds: 60,
  keepValuesOnDevice: false,
};

export const injectionSettingsItem = storage.defineItem<InjectionSettings>('local:injectionSettings', {
  fallback: DEFAULT_INJECTION_SETTINGS,
  version: 1,
});

/** What the update to the own-site default changed in the stored rules, told once: null when nothing (or told). */
export const RulesUpdateNoticeSchema = v.object({
  /** Rules that had no initiator list, which meant any page: now the own site and safe navigations. */
  ownSite: v.number(),
  /** Rules with a regex the narrow-regex check no longer proves: off until the user confirms them. */
  unconfirmed: v.number(),
});
export type RulesUpdateNotice = v.InferOutput<typeof RulesUpdateNoticeSchema>;
export const rulesUpdateNoticeItem = storage.defineItem<RulesUpdateNotice | null>('local:rulesUpdateNotice', {
  fallback: null,
  version: 1,
});

/**
 * The user's injection rules: token references and patterns, never a value. Version 2 forgets every broad-pattern
 * confirmation: an imported file could carry one before, so each must be given again in the rule form. Version 3
 * changes no rule, only what a rule without initiators means (the own site's requests and safe navigations, no
 * more any page's), and leaves the notice that tells the user so.
 */
/** Host origins the browser was seen granting: a later "not granted" for one of them is a removal. */
export const grantedOriginsItem = storage.defineItem<string[]>('local:grantedOrigins', {
  fallback: [],
  version: 1,
});

export const rulesItem = storage.defineItem<InjectionRule[]>('local:rules', {
  fallback: [],
  version: 3,
  migrations: {
    2: (rules: InjectionRule[]) => rules.map(({ allowBroad: _fromBefore, ...rule }) => rule),
    3: noteOwnSiteDefault,
  },
});

async function noteOwnSiteDefault(rules: InjectionRule[]): Promise<InjectionRule[]> {
  const notice = {
    ownSite: rules.filter((rule) => rule.initiators === undefined).length,
    unconfirmed: rules.filter((rule) => rule.allowBroad !== true && needsConfirmation(rule)).length,
  };
  if (notice.ownSite + notice.unconfirmed > 0) await rulesUpdateNoticeItem.setValue(notice);
  return rules;
}

/** What the extension last learned about each bound token (health and expiry), by tokenKey. */
export const tokenStatesItem = storage.defineItem<Record<string, TokenState>>('local:tokenStates', {
  fallback: {},
  version: 1,
});

/** Why each rule is (not) injecting, by rule id; written by the rule sync, read by the pages. */
export const ruleStatusItem = storage.defineItem<Record<string, RuleStatus>>('local:ruleStatus', {
  fallback: {},
  version: 1,
});

/** When the background warns that a rule's token is about to expire; set on the options page. */
export const ExpiryNoticeSettingsSchema = v.object({
  /** Minutes before a token's expiry at which to notify; empty: never. */
  beforeMinutes: v.pipe(
    v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60 * 24 * 365))),
    v.maxLength(5),
  ),
});
export type ExpiryNoticeSettings = v.InferOutput<typeof ExpiryNoticeSettingsSchema>;
export const DEFAULT_NOTICE_SETTINGS: ExpiryNoticeSettings = { beforeMinutes: [24 * 60, 60] };

export const expiryNoticeSettingsItem = storage.defineItem<ExpiryNoticeSettings>(
  'local:expiryNoticeSettings',
  {
    fallback: DEFAULT_NOTICE_SETTINGS,
    version: 1,
  },
);

export const HeldLeaseSchema = v.object({
  /** The lease's value: what the rule's requests carry instead of the token. */
  value: v.string(),
  /** Epoch ms. */
  mintedAt: v.number(),
  expiresAt: v.number(),
  renewAt: v.number(),
  /** What minted it: the signed-in user's credential, or the token's pasted value. */
  via: v.picklist(['session', 'value']),
  /** Cut short by its token's own expiry: it is not renewed before then (a new one would end at the same time). */
  capped: v.optional(v.boolean()),
  /** Minted because a matched request was refused: another refusal does not mint again before its renewal. */
  afterRefusal: v.optional(v.boolean()),
});
export type HeldLease = v.InferOutput<typeof HeldLeaseSchema>;

/** The lease each bound token injects now, by tokenKey: session storage only, gone when the browser closes. */
export const leasesItem = storage.defineItem<Record<string, HeldLease>>('session:leases', {
  fallback: {},
  version: 1,
});
