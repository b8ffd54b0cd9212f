// Asks a token's server whether the token still works (GET /security/me with its value) and, when not, why.
import type { Result } from '../../shared/api-client';
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import { type TokenHealth, type TokenState, tokenKey } from '../core/dnr-rules';
import type { KeptToken, ValueItem } from '../core/storage-items';
import type { ServerCalls } from './server-calls';

export interface TokenCheckDeps {
  calls: ServerCalls;
  values: ValueItem<KeptToken[]>;
  rules: ValueItem<InjectionRule[]>;
  tokens: ValueItem<Record<string, TokenState>>;
  /** Session storage: tokens the server confirmed in this browser session (values from the device wait for it). */
  confirmed: ValueItem<string[]>;
  now(): number;
}

export function createTokenChecks(deps: TokenCheckDeps) {
  async function setConfirmed(key: string, confirmed: boolean): Promise<void> {
    const keys = await deps.confirmed.getValue();
    if (keys.includes(key) === confirmed) return;
    await deps.confirmed.setValue(confirmed ? [...keys, key] : keys.filter((other) => other !== key));
  }

  /** A token its server no longer has: its value is of no use to anyone but a thief. */
  async function forgetValue(key: string): Promise<void> {
    const values = await deps.values.getValue();
    if (values.some((entry) => tokenKey(entry) === key))
      await deps.values.setValue(values.filter((entry) => tokenKey(entry) !== key));
  }

  /** Why the server refuses a value: the signed-in user's view of the token tells disabled, expired and removed apart. */
  async function whyRefused(ref: TokenRef, previous: TokenState | undefined): Promise<TokenHealth> {
    const record = await deps.calls.authed(ref.server, (api) => api.getToken(ref.user, ref.name));
    if (record.ok) {
      // Another token under that name now: the one the value is of was removed.
      if (previous?.createdDate !== undefined && record.value.createdDate !== previous.createdDate)
        return 'removed';
      if (record.value.expired) return 'expired';
      if (!record.value.enabled) return 'disabled';
      // The token itself is fine, so its owner is the problem: disabled, or without the access it had.
      return 'no-access';
    }
    if (record.error.code === 'TOKEN_NOT_FOUND') return 'removed';
    const expiry = previous?.expirationDate ? Date.parse(previous.expirationDate) : Number.NaN;
    return expiry <= deps.now() ? 'expired' : 'rejected';
  }

  async function check(entry: KeptToken): Promise<TokenState> {
    const key = tokenKey(entry);
    const previous = (await deps.tokens.getValue())[key];
    const me = await deps.calls.client(entry.server, { kind: 'token', value: entry.value }).me();
    let next: TokenState;
    if (me.ok) {
      const belongs = me.value.user === entry.user && me.value.token?.name === entry.name;
      next = {
        health: belongs ? 'valid' : 'rejected',
        expirationDate: me.value.token?.expirationDate ?? null,
        checkedAt: deps.now(),
        ...(previous?.createdDate !== undefined && { createdDate: previous.createdDate }),
      };
    } else if (me.error.code === 'UNAUTHORIZED') {
      next = {
        health: await whyRefused(entry, previous),
        expirationDate: previous?.expirationDate ?? null,
        checkedAt: deps.now(),
        ...(previous?.createdDate !== undefined && { createdDate: previous.createdDate }),
      };
    } else {
      // Unreachable or confused server: keep what was known; injection is not stopped by a network blip.
      return previous ?? { health: 'unchecked', expirationDate: null, checkedAt: deps.now() };
    }
    await deps.tokens.setValue({ ...(await deps.tokens.getValue()), [key]: next });
    await setConfirmed(key, next.health === 'valid');
    if (next.health === 'removed') await forgetValue(key);
    return next;
  }

  return {
    check,

    /** A value that just came from the server itself (a token created here) needs no check to inject. */
    confirm: (ref: TokenRef) => setConfirmed(tokenKey(ref), true),

    /** Checks the tokens that enabled rules use (only those: a check counts as a use on the server). */
    async checkBound(only?: (ref: TokenRef) => boolean): Promise<void> {
      const [rules, values] = await Promise.all([deps.rules.getValue(), deps.values.getValue()]);
      const used = new Set(rules.filter((rule) => rule.enabled).map((rule) => tokenKey(rule.token)));
      const due = values.filter((entry) => used.has(tokenKey(entry)) && (only?.(entry) ?? true));
      await Promise.all(due.map(check));
    },

    /** A pasted value must belong to the token it is bound to: GET /security/me names its owner and token. */
    async verify(ref: TokenRef, value: string): Promise<Result<null>> {
      const me = await deps.calls.client(ref.server, { kind: 'token', value }).me();
      if (!me.ok) return me;
      if (me.value.user !== ref.user || me.value.token?.name !== ref.name) {
        const actual = me.value.token
          ? `"${me.value.token.name}" of ${me.value.user}`
          : `a sign-in of ${me.value.user}`;
        return {
          ok: false,
          error: {
            code: 'VALIDATION_FAILED',
            status: 0,
            message: `That value belongs to ${actual}, not to "${ref.name}" of ${ref.user}.`,
          },
        };
      }
      await deps.tokens.setValue({
        ...(await deps.tokens.getValue()),
        [tokenKey(ref)]: {
          health: 'valid',
          expirationDate: me.value.token.expirationDate,
          checkedAt: deps.now(),
        },
      });
      await setConfirmed(tokenKey(ref), true);
      return { ok: true, value: null };
    },
  };
}

export type TokenChecks = ReturnType<typeof createTokenChecks>;
