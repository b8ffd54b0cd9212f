// User accounts: the account as returned, and the create and update bodies.
import * as v from 'valibot';
import { ROLE_NAMES } from '../permissions';
import { ApiDateSchema, pageOf, textName } from './common';

export const AccountSchema = v.pipe(
  v.object({
    name: v.string(),
    roles: v.array(v.string()),
    enabled: v.boolean(),
    createdDate: ApiDateSchema,
  }),
  v.metadata({ ref: 'Account' }),
);
export type Account = v.InferOutput<typeof AccountSchema>;

export const AccountListSchema = pageOf('AccountList', AccountSchema);
export type AccountList = v.InferOutput<typeof AccountListSchema>;

// Custom messages throughout: valibot's defaults would echo the value sent, here a password.
export const PasswordSchema = v.pipe(
  v.string('must be text'),
  v.minLength(8, 'must be at least 8 characters'),
  v.maxLength(1024, 'must be at most 1024 characters'),
);
const RolesSchema = v.pipe(
  v.array(v.picklist(ROLE_NAMES, `must be one of ${ROLE_NAMES.join(', ')}`)),
  v.maxLength(ROLE_NAMES.length),
);

// A colon would end the user name early in Basic auth, which splits at the first colon.
const UserNameSchema = v.pipe(
  textName(128),
  v.check((name) => !name.includes(':'), 'must not contain a colon'),
);

export const CreateAccountBodySchema = v.pipe(
  v.strictObject({
    name: UserNameSchema,
    password: PasswordSchema,
    roles: v.optional(RolesSchema),
    enabled: v.optional(v.boolean()),
  }),
  v.metadata({ ref: 'CreateAccountBody' }),
);
export type CreateAccountBody = v.InferInput<typeof CreateAccountBodySchema>;

export const UpdateAccountBodySchema = v.pipe(
  v.strictObject({
    password: v.optional(PasswordSchema),
    /** Needed when users change their own password. */
    currentPassword: v.optional(v.pipe(v.string('must be text'), v.maxLength(1024, 'is too long'))),
    roles: v.optional(RolesSchema),
    enabled: v.optional(v.boolean()),
  }),
  v.metadata({ ref: 'UpdateAccountBody' }),
);
export type UpdateAccountBody = v.InferInput<typeof UpdateAccountBodySchema>;
