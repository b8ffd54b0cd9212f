// Sign-in and session shapes: login, the session token it returns, /security/me, the legacy token service.
import * as v from 'valibot';
import { ApiDateSchema } from './common';
import { TokenSourceSchema, TokenTypeSchema } from './token';

export const LoginKindSchema = v.picklist(['web', 'apidoc']);
export type LoginKind = v.InferOutput<typeof LoginKindSchema>;

export const LoginBodySchema = v.pipe(
  v.strictObject({
    user: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256)),
    // Custom messages: valibot's defaults would echo the value sent, here a password.
    password: v.pipe(
      v.string('must be text'),
      v.minLength(1, 'must not be empty'),
      v.maxLength(1024, 'is too long'),
    ),
    kind: v.optional(LoginKindSchema),
  }),
  v.metadata({ ref: 'LoginBody' }),
);
export type LoginBody = v.InferInput<typeof LoginBodySchema>;

/**
 * A body beside Basic authentication: the kind only. A user or password in it is a second credential, refused as
 * such rather than as an unknown field.
 */
export const BasicLoginBodySchema = v.strictObject({
  kind: v.optional(LoginKindSchema),
  user: v.optional(v.unknown()),
  password: v.optional(v.unknown()),
});

export const LoginQuerySchema = v.object({ kind: v.optional(LoginKindSchema) });

/** 201 of POST /login: the one answer that carries the session token's value. */
export const SessionTokenSchema = v.pipe(
  v.object({
    token: v.string(),
    name: v.string(),
    user: v.string(),
    type: v.literal('SESSION'),
    source: TokenSourceSchema,
    expirationDate: ApiDateSchema,
  }),
  v.metadata({ ref: 'SessionToken' }),
);
export type SessionToken = v.InferOutput<typeof SessionTokenSchema>;

export const MeSchema = v.pipe(
  v.object({
    user: v.string(),
    roles: v.array(v.string()),
    permissions: v.array(v.string()),
    /** The token of this request; null when it was authenticated with a password. */
    token: v.nullable(
      v.object({
        name: v.string(),
        type: TokenTypeSchema,
        source: TokenSourceSchema,
        expirationDate: ApiDateSchema,
      }),
    ),
  }),
  v.metadata({ ref: 'Me' }),
);
export type Me = v.InferOutput<typeof MeSchema>;

export const TIME_UNITS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;

/** Parameters of the legacy /fmetoken/generate service, from the query string or a form. */
export const TokenServiceParamsSchema = v.object({
  user: v.optional(v.pipe(v.string(), v.maxLength(256))),
  password: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  expiration: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,12}$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
    ),
  ),
  timeunit: v.optional(
    v.picklist(['second', 'minute', 'hour', 'day'], 'must be second, minute, hour or day'),
  ),
});

export const TokenServiceResponseSchema = v.pipe(
  v.object({
    serviceResponse: v.object({ token: v.string(), expirationDate: ApiDateSchema }),
  }),
  v.metadata({ ref: 'TokenServiceResponse' }),
);
export type TokenServiceResponse = v.InferOutput<typeof TokenServiceResponseSchema>;

/**
 * The legacy service's token lookup (/fmetoken/service/view.json, as FMEServer.js calls it): whether the
 * token the request carries is the user's, enabled and unexpired. The value itself is never sent back.
 */
export const TokenServiceViewSchema = v.pipe(
  v.object({
    serviceResponse: v.object({
      user: v.string(),
      name: v.string(),
      type: TokenTypeSchema,
      source: TokenSourceSchema,
      enabled: v.boolean(),
      expired: v.boolean(),
      expirationDate: ApiDateSchema,
    }),
  }),
  v.metadata({ ref: 'TokenServiceView' }),
);
export type TokenServiceView = v.InferOutput<typeof TokenServiceViewSchema>;
