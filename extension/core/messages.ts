// The one typed message map between the popup and the background, with a schema for each direction.
import * as v from 'valibot';
import { browser } from 'wxt/browser';
import type { ApiError, Result } from '../../shared/api-client';
import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES } from '../../shared/errors';
import { VersionSchema } from '../../shared/schemas/info';
import {
  ExportedRuleSchema,
  InjectionRuleSchema,
  TokenRefSchema,
} from '../../shared/schemas/injection-rules';
import { LeaseSummarySchema } from '../../shared/schemas/lease';
import { PermissionCatalogueSchema } from '../../shared/schemas/permissions';
import {
  CreatedTokenSchema,
  CreateTokenBodySchema,
  TokenListSchema,
  TokenNameSchema,
  TokenSchema,
  TokenTypeSchema,
  UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import { isWellFormedTokenValue } from '../../shared/token-format';
import { parseServerUrl } from './server-url';
import { InjectionSettingsSchema } from './storage-items';

const ApiErrorSchema = v.object({
  code: v.picklist([...SERVER_ERROR_CODES, ...CLIENT_ERROR_CODES]),
  message: v.string(),
  status: v.number(),
  details: v.optional(v.record(v.string(), v.unknown())),
});

function resultSchema<T>(value: v.GenericSchema<unknown, T>): v.GenericSchema<unknown, Result<T>> {
  return v.variant('ok', [
    v.object({ ok: v.literal(true), value }),
    v.object({ ok: v.literal(false), error: ApiErrorSchema }),
  ]);
}

const ServerUrlSchema = v.pipe(
  v.string(),
  v.check((url) => parseServerUrl(url).ok, 'must be an http(s) server URL'),
);

/** Who the extension is signed in as on a server, and with what; never the credential's value. */
export const ConnectionSchema = v.object({
  server: v.string(),
  user: v.string(),
  roles: v.array(v.string()),
  permissions: v.array(v.string()),
  credential: v.picklist(['session', 'token']),
  /** A pasted API token with a chosen permission set: the server lets it list tokens, not change them. */
  restricted: v.optional(v.boolean(), false),
  /** When the credential expires; a web session's date moves forward as it is used. */
  expirationDate: v.nullable(v.string()),
});
export type Connection = v.InferOutput<typeof ConnectionSchema>;

const RuleStatusSchema = v.object({
  state: v.picklist([
    'active',
    'off',
    'paused',
    'no-value',
    'sign-in',
    'checking',
    'invalid',
    'error',
    'disabled',
    'expired',
    'removed',
    'no-access',
    'rejected',
    'host-access-removed',
  ]),
  message: v.optional(v.string()),
  origins: v.optional(v.array(v.string())),
  lease: v.optional(
    v.object({ renewsAt: v.number(), expiresAt: v.number(), via: v.picklist(['session', 'value']) }),
  ),
});

function InjectionViewSchema() {
  return v.object({
    rules: v.array(InjectionRuleSchema),
    status: v.record(v.string(), RuleStatusSchema),
    settings: InjectionSettingsSchema,
    /** Tokens a rule can send: those whose value this browser holds (never the values), and the signed-in
     * user's own API tokens on the active server, which send leases minted with the sign-in. */
    held: v.array(TokenRefSchema),
  });
}
export type InjectionView = v.InferOutput<ReturnType<typeof InjectionViewSchema>>;

const ImportReportSchema = v.object({
  imported: v.number(),
  /** One entry per refused rule: its position in the file (1-based) and why. */
  errors: v.array(v.object({ index: v.number(), message: v.string() })),
  /** Imported switched off: a pattern can match more than one site and waits for the user's confirmation. */
  unconfirmed: v.array(v.number()),
  /** Marked for any page in the file: imported for their own site's requests, until the user confirms any page. */
  ownSiteOnly: v.array(v.number()),
  /** Left out: the same rule (token, patterns, types, pages) is here already. */
  alreadyPresent: v.array(v.number()),
});
export type ImportReport = v.InferOutput<typeof ImportReportSchema>;

const TokenAccessSchema = v.object({
  /** The token's own record: its type, and for an API token All Permissions or its chosen set. */
  token: TokenSchema,
  /** What its owner holds now; null when this sign-in cannot see all of it. */
  owner: v.nullable(v.array(v.string())),
});
export type TokenAccess = v.InferOutput<typeof TokenAccessSchema>;

const TokenValueSchema = v.pipe(
  v.string(),
  v.check(isWellFormedTokenValue, 'must be a 40-character tokenward token value'),
);
const OnServer = { server: ServerUrlSchema };
const TokenRef = {
  ...OnServer,
  user: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1)),
};
const PageSize = v.pipe(v.number(), v.integer(), v.minValue(-1));

export const messageSchemas = {
  /** Ask the server at `url` for its version: shows whether it is reachable and is tokenward. */
  checkServer: {
    request: v.object({ url: ServerUrlSchema }),
    response: resultSchema(VersionSchema),
  },
  /** Sign in for a `web` session; the password is used once and never stored. */
  signIn: {
    request: v.object({ ...OnServer, user: v.string(), password: v.string() }),
    response: resultSchema(ConnectionSchema),
  },
  /** Use a pasted API token instead of signing in. */
  useToken: {
    request: v.object({ ...OnServer, token: TokenValueSchema }),
    response: resultSchema(ConnectionSchema),
  },
  signOut: { request: v.object(OnServer), response: resultSchema(v.null()) },
  /** Who is signed in (null: nobody); for a web session this is also the keep-alive call. */
  getConnection: { request: v.object(OnServer), response: resultSchema(v.nullable(ConnectionSchema)) },
  getPermissionCatalogue: { request: v.object(OnServer), response: resultSchema(PermissionCatalogueSchema) },
  /** Names of the repositories the signed-in user may read, to offer in the permission picker. */
  listRepositoryNames: { request: v.object(OnServer), response: resultSchema(v.array(v.string())) },
  listTokens: {
    request: v.object({
      ...OnServer,
      limit: PageSize,
      offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
      type: v.optional(TokenTypeSchema),
      status: v.optional(v.picklist(['active', 'expired'])),
      /** Another user's name or `*`: the All Tokens view. */
      user: v.optional(v.string()),
    }),
    response: resultSchema(TokenListSchema),
  },
  createToken: {
    request: v.object({ ...OnServer, body: CreateTokenBodySchema }),
    response: resultSchema(CreatedTokenSchema),
  },
  setTokenEnabled: {
    request: v.object({ ...TokenRef, enabled: v.boolean() }),
    response: resultSchema(v.null()),
  },
  /** Partial update: description, expiration, permissions; a new expiration enables an expired API token. */
  updateToken: {
    request: v.object({ ...TokenRef, patch: UpdateTokenBodySchema }),
    response: resultSchema(v.null()),
  },
  /** A copy with the original's permissions; its expiry as given (the server's default when none is). */
  duplicateToken: {
    request: v.object({
      ...TokenRef,
      newName: TokenNameSchema,
      expirationTimeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      expirationDate: v.optional(v.string()),
    }),
    response: resultSchema(CreatedTokenSchema),
  },
  removeToken: { request: v.object(TokenRef), response: resultSchema(v.null()) },
  /** How many leases of an API token are live, and when one was last used (never a value). */
  getLeaseSummary: { request: v.object(TokenRef), response: resultSchema(LeaseSummarySchema) },
  /** Ends every live lease of an API token at once. */
  endTokenLeases: { request: v.object(TokenRef), response: resultSchema(v.null()) },
  /** What a token and its owner hold: the grounds for explaining a 403 and offering to add a permission. */
  describeTokenAccess: { request: v.object(TokenRef), response: resultSchema(TokenAccessSchema) },
  /** Keep a value for injection rules (session storage, or local when the user opted in). */
  keepTokenValue: {
    request: v.object({ ...TokenRef, value: TokenValueSchema }),
    response: resultSchema(v.null()),
  },
  forgetTokenValue: { request: v.object(TokenRef), response: resultSchema(v.null()) },
  /** Keep a value created elsewhere, after GET /security/me with it names the same owner and token. */
  bindTokenValue: {
    request: v.object({ ...TokenRef, value: TokenValueSchema }),
    response: resultSchema(v.null()),
  },
  /** Rules, why each is (not) injecting, the settings, and which tokens have a value here. */
  /** `server`: the active server, whose signed-in user's own tokens are offered too. */
  getInjection: {
    request: v.object({ server: v.optional(v.string()) }),
    response: resultSchema(InjectionViewSchema()),
  },
  /** Create (no id) or replace (id) a rule; refused with VALIDATION_FAILED naming the problem. */
  saveRule: {
    request: v.object({
      id: v.optional(v.number()),
      rule: ExportedRuleSchema,
      tabId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    }),
    response: resultSchema(InjectionRuleSchema),
  },
  setRuleEnabled: {
    request: v.object({ id: v.number(), enabled: v.boolean() }),
    response: resultSchema(v.null()),
  },
  removeRule: { request: v.object({ id: v.number() }), response: resultSchema(v.null()) },
  setInjectionSettings: {
    request: v.partial(InjectionSettingsSchema),
    response: resultSchema(InjectionSettingsSchema),
  },
  /** Check every bound token with its server now, instead of at the next refresh. */
  refreshTokens: { request: v.object({}), response: resultSchema(v.null()) },
  exportRules: { request: v.object({}), response: resultSchema(v.string()) },
  importRules: {
    request: v.object({ text: v.pipe(v.string(), v.maxLength(1_000_000)) }),
    response: resultSchema(ImportReportSchema),
  },
};

export type MessageType = keyof typeof messageSchemas;
export type MessageRequest<K extends MessageType> = v.InferOutput<(typeof messageSchemas)[K]['request']>;
export type MessageResponse<K extends MessageType> = v.InferOutput<(typeof messageSchemas)[K]['response']>;
export type MessageHandlers = {
  [K in MessageType]: (request: MessageRequest<K>) => Promise<MessageResponse<K>>;
};

export const EnvelopeSchema = v.object({
  type: v.picklist(Object.keys(messageSchemas) as MessageType[]),
  data: v.unknown(),
});

/** Sends a message to the background and parses its answer; rejects when no valid answer arrives. */
export async function sendMessage<K extends MessageType>(
  type: K,
  data: MessageRequest<K>,
): Promise<MessageResponse<K>> {
  const answer: unknown = await browser.runtime.sendMessage({ type, data });
  const parsed = v.safeParse(messageSchemas[type].response, answer);
  if (!parsed.success) throw new Error(`The background sent no valid answer to ${type}.`);
  return parsed.output;
}

/** How a page asks the background: one typed message, one typed answer. */
export type Send = <K extends MessageType>(type: K, data: MessageRequest<K>) => Promise<MessageResponse<K>>;

const NO_ANSWER: ApiError = {
  code: 'BAD_RESPONSE',
  status: 0,
  message: "tokenward's background did not answer.",
};

/** A message whose answer never came (the background was reloaded, say) reads as a failed Result. */
export function guard<T>(answer: Promise<Result<T>>): Promise<Result<T>> {
  return answer.catch(() => ({ ok: false, error: NO_ANSWER }));
}
