// Leases for injection: every token an enabled rule binds gets a short-lived lease, minted with the signed-in
// user's credential (their own tokens) or with the token's pasted value, renewed before it lapses and dropped when
// no rule sends it. Requests carry the lease, never the token; leases live in session storage only.
import type { Result } from '../../shared/api-client';
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import type { Lease } from '../../shared/schemas/lease';
import {
  type LeaseTiming,
  type RuleStatus,
  type TokenHealth,
  type TokenState,
  tokenKey,
} from '../core/dnr-rules';
import { LAPSE_MARGIN_MS, leaseUsable, renewalDue, renewalTime } from '../core/lease-timing';
import type { HeldLease, InjectionSettings, KeptToken, ValueItem } from '../core/storage-items';
import type { CredentialStore } from './credential-store';
import type { ServerCalls } from './server-calls';
import type { TokenChecks } from './token-checks';

export interface LeaseKeeperDeps {
  calls: ServerCalls;
  credentials: Pick<CredentialStore, 'get' | 'lastSignOut'>;
  /** Pasted values: the source of leases for tokens the signed-in user does not own. */
  values: ValueItem<KeptToken[]>;
  rules: ValueItem<InjectionRule[]>;
  settings: ValueItem<InjectionSettings>;
  tokens: ValueItem<Record<string, TokenState>>;
  leases: ValueItem<Record<string, HeldLease>>;
  checks: Pick<TokenChecks, 'check'>;
  /** The lifetime asked for each lease, in seconds (60–3600), unless the settings name one. */
  ttlSeconds: number;
  now(): number;
}

/** What rule sync needs to build the rules: the lease values, their timing, and why others have none. */
export interface LeaseView {
  values: Map<string, string>;
  leases: Map<string, LeaseTiming>;
  waiting: Map<string, RuleStatus>;
}

type Minted =
  | { kind: 'lease'; lease: HeldLease; expirationDate?: string | null; createdDate?: string }
  | { kind: 'refused'; health: Exclude<TokenHealth, 'unchecked' | 'valid'> }
  | { kind: 'wait'; status: RuleStatus }
  | { kind: 'unreachable'; message: string };

const FAILED: readonly TokenHealth[] = ['disabled', 'expired', 'removed', 'no-access', 'rejected'];

/** The bound token's creation date, kept in its state (absent until the token was first leased). */
const identity = (createdDate: string | undefined) => (createdDate !== undefined ? { createdDate } : {});

/** How much shorter than its ttl a lease must be to count as cut short by its token's expiry (at least). */
const CAP_SLACK_MS = 5_000;

/** A renewal the server could not answer is tried again this soon (the lease may still have time). */
export const RETRY_MS = 30_000;

/**
 * Why a token is leased again before its renewal: `changed`, the token was changed through the extension (its old
 * leases may be refused now); `resumed`, a rule of it was switched on (leased now if it holds no lease, even when it
 * was found disabled a moment ago); `refused`, a 401 to a matched request.
 */
export type RenewReason = 'changed' | 'resumed' | 'refused';

export function createLeaseKeeper(deps: LeaseKeeperDeps) {
  const waiting = new Map<string, RuleStatus>();
  /** Tokens to lease again at the next pass whatever their state: a rule switched on, a token changed, a 401. */
  const forced = new Map<string, RenewReason>();
  /** Look every leased token up at the next pass without minting (the periodic check). */
  let inspectEvery = false;
  let queue: Promise<unknown> = Promise.resolve();

  let ttlSeconds = deps.ttlSeconds;

  function accept(ref: TokenRef, lease: Lease, via: HeldLease['via']): Minted {
    // The lease must be a child of the very token the rule binds, not of whatever the credential reached.
    if (lease.parent.user !== ref.user || lease.parent.name !== ref.name)
      return { kind: 'refused', health: 'rejected' };
    const mintedAt = deps.now();
    // The server's clock sets the expiry; a local clock behind it must not stretch the lease past its ttl.
    const full = mintedAt + ttlSeconds * 1000;
    const expiresAt = Math.min(Date.parse(lease.expirationDate), full);
    // Ending with its token, well before its ttl: leased again at that expiry, when the token may have been
    // extended, and not before, when a new lease would end just as soon. "Well before": the server keeps whole
    // seconds and the answer takes its time, so a full lease can look a second or two short.
    const capped = expiresAt < full - Math.max(CAP_SLACK_MS, (ttlSeconds * 1000) / 10);
    return {
      kind: 'lease',
      lease: {
        value: lease.token,
        mintedAt,
        expiresAt,
        renewAt: capped ? expiresAt : renewalTime(mintedAt, expiresAt),
        via,
        ...(capped && { capped: true }),
      },
    };
  }

  async function withSession(ref: TokenRef, createdDate: string | undefined): Promise<Minted | undefined> {
    const minted = await deps.calls.authed(ref.server, (api) =>
      api.createLease(ref.user, ref.name, { ttl: ttlSeconds }),
    );
    if (minted.ok) {
      const record = await deps.calls.authed(ref.server, (api) => api.getToken(ref.user, ref.name));
      // Another token under the bound one's name: the one the rule binds was removed (its lease is never sent).
      if (record.ok && createdDate !== undefined && record.value.createdDate !== createdDate)
        return { kind: 'refused', health: 'removed' };
      const accepted = accept(ref, minted.value, 'session');
      return record.ok && accepted.kind === 'lease'
        ? { ...accepted, expirationDate: record.value.expirationDate, createdDate: record.value.createdDate }
        : accepted;
    }
    const { status } = minted.error;
    if (status === 0) return { kind: 'unreachable', message: minted.error.message };
    if (status === 404) return { kind: 'refused', health: 'removed' };
    if (status === 409) {
      const record = await deps.calls.authed(ref.server, (api) => api.getToken(ref.user, ref.name));
      return { kind: 'refused', health: record.ok && record.value.expired ? 'expired' : 'disabled' };
    }
    // 401: the sign-in ended (and was dropped); 403: a restricted credential. A pasted value may still lease.
    return undefined;
  }

  async function withValue(ref: TokenRef, entry: KeptToken): Promise<Minted> {
    const api = deps.calls.client(ref.server, { kind: 'token', value: entry.value });
    const minted: Result<Lease> = await api.createLease(ref.user, ref.name, { ttl: ttlSeconds });
    if (minted.ok) return accept(ref, minted.value, 'value');
    if (minted.error.status === 0) return { kind: 'unreachable', message: minted.error.message };
    if (minted.error.status === 404) return { kind: 'refused', health: 'removed' };
    // The value itself is refused: the token check tells disabled, expired and removed apart where it can.
    const checked = await deps.checks.check(entry);
    return {
      kind: 'refused',
      health: FAILED.includes(checked.health)
        ? (checked.health as Exclude<TokenHealth, 'unchecked' | 'valid'>)
        : 'rejected',
    };
  }

  /**
   * What the signed-in owner's view of the token says (a lookup, not a use): for tokens leased with the sign-in,
   * which the token checks (pasted values only) do not see. undefined: not the owner's sign-in, or no answer.
   */
  async function inspect(ref: TokenRef, createdDate: string | undefined): Promise<TokenHealth | undefined> {
    const credential = await deps.credentials.get(ref.server);
    if (credential?.user !== ref.user) return undefined;
    const record = await deps.calls.authed(ref.server, (api) => api.getToken(ref.user, ref.name));
    if (record.ok && createdDate !== undefined && record.value.createdDate !== createdDate) return 'removed';
    if (record.ok) return record.value.expired ? 'expired' : record.value.enabled ? 'valid' : 'disabled';
    return record.error.status === 404 ? 'removed' : undefined;
  }

  async function mint(ref: TokenRef, createdDate: string | undefined): Promise<Minted> {
    const credential = await deps.credentials.get(ref.server);
    if (credential?.user === ref.user) {
      const answer = await withSession(ref, createdDate);
      if (answer !== undefined) return answer;
    }
    const entry = (await deps.values.getValue()).find((kept) => tokenKey(kept) === tokenKey(ref));
    if (entry !== undefined) return withValue(ref, entry);
    const signedIn = await deps.credentials.get(ref.server);
    return {
      kind: 'wait',
      status: {
        state: 'sign-in',
        message:
          signedIn === undefined
            ? `Waiting for you to sign in to ${ref.server} as ${ref.user} (or paste the token’s value).`
            : signedIn.user === ref.user
              ? 'Your sign-in cannot lease this token (a restricted token): sign in with your password or paste the token’s value.'
              : `Signed in as ${signedIn.user}, not ${ref.user}: sign in as ${ref.user} or paste the token’s value.`,
      },
    };
  }

  /**
   * Whether a lease minted with the owner's sign-in may still go out. Its sign-in lapsing (expired, or the server
   * refused it) leaves the lease to run out by itself; the user ending it since the lease was minted (Sign out, or
   * disabling or removing the session it was) or another user signing in ends the lease now: the rule's token is
   * no longer the signed-in user's. (The credential is dropped before its reason is written, and each write
   * brings a pass: until the reason is there, the lease stands.)
   */
  async function signInStands(ref: TokenRef, lease: HeldLease): Promise<boolean> {
    if (lease.via !== 'session') return true;
    const credential = await deps.credentials.get(ref.server);
    if (credential !== undefined) return credential.user === ref.user;
    const signOut = await deps.credentials.lastSignOut(ref.server);
    return signOut === undefined || signOut.cause === 'ended' || signOut.at < lease.mintedAt;
  }

  async function run(): Promise<number | undefined> {
    const [rules, settings, tokens, held] = await Promise.all([
      deps.rules.getValue(),
      deps.settings.getValue(),
      deps.tokens.getValue(),
      deps.leases.getValue(),
    ]);
    const now = deps.now();
    const inspecting = inspectEvery;
    inspectEvery = false;
    ttlSeconds = settings.leaseSeconds ?? deps.ttlSeconds;
    const refs = new Map<string, TokenRef>();
    if (!settings.paused)
      for (const rule of rules) if (rule.enabled) refs.set(tokenKey(rule.token), rule.token);
    const next: Record<string, HeldLease> = {};
    const states = { ...tokens };
    for (const [key, ref] of refs) {
      const heldLease = held[key];
      const lease = heldLease !== undefined && (await signInStands(ref, heldLease)) ? heldLease : undefined;
      const reason = forced.get(key);
      forced.delete(key);
      // A 401 mints once: a lease already minted after one is not replaced again before its renewal (an API that
      // refuses every lease would otherwise mint one per refusal and push other browsers' leases out).
      const force =
        reason === 'changed' ||
        (reason === 'resumed' && lease === undefined) ||
        (reason === 'refused' && lease?.afterRefusal !== true);
      const look = inspecting || reason === 'refused';
      if (lease !== undefined && !force && !renewalDue(lease, now)) {
        // Refused again, or the periodic check: the token is looked up, and a token that went bad stops its rule.
        const health = look ? await inspect(ref, tokens[key]?.createdDate) : undefined;
        if (health !== undefined && health !== 'valid') {
          states[key] = {
            health,
            expirationDate: tokens[key]?.expirationDate ?? null,
            checkedAt: now,
            ...identity(tokens[key]?.createdDate),
          };
          continue;
        }
        next[key] = lease;
        continue;
      }
      const state = tokens[key];
      // A token found disabled (or gone) is asked again at the refresh period, not at every change.
      const failedRecently =
        state !== undefined &&
        FAILED.includes(state.health) &&
        now - state.checkedAt < settings.refreshSeconds * 1000;
      if (lease === undefined && !force && failedRecently) continue;
      const minted = await mint(ref, state?.createdDate);
      waiting.delete(key);
      if (minted.kind === 'lease') {
        next[key] = reason === 'refused' && force ? { ...minted.lease, afterRefusal: true } : minted.lease;
        states[key] = {
          health: 'valid',
          expirationDate:
            minted.expirationDate !== undefined ? minted.expirationDate : (state?.expirationDate ?? null),
          checkedAt: now,
          ...identity(minted.createdDate ?? state?.createdDate),
        };
      } else if (minted.kind === 'refused') {
        states[key] = {
          health: minted.health,
          expirationDate: state?.expirationDate ?? null,
          checkedAt: now,
          ...identity(state?.createdDate),
        };
      } else {
        // A lapsed sign-in or no answer: the current lease goes on until it lapses, then the rule waits.
        if (lease !== undefined && leaseUsable(lease, now))
          next[key] = { ...lease, renewAt: Math.min(now + RETRY_MS, lease.expiresAt - LAPSE_MARGIN_MS) };
        waiting.set(
          key,
          minted.kind === 'wait'
            ? minted.status
            : { state: 'checking', message: `No lease yet: ${minted.message} Trying again shortly.` },
        );
      }
    }
    for (const key of waiting.keys()) if (!refs.has(key) || next[key] !== undefined) waiting.delete(key);
    await deps.leases.setValue(next);
    if (JSON.stringify(states) !== JSON.stringify(tokens)) await deps.tokens.setValue(states);
    const renewals = Object.values(next).map((lease) => lease.renewAt);
    const unreachable = [...waiting.values()].some((status) => status.state === 'checking');
    if (unreachable) renewals.push(now + RETRY_MS);
    return renewals.length === 0 ? undefined : Math.min(...renewals);
  }

  return {
    /** Mints, renews and drops leases as the rules need them; the time of the next renewal, if any. */
    sync(): Promise<number | undefined> {
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },

    /** Lease these tokens anew at the next pass (see RenewReason); a 401 mints once per lease, and if the token
     * cannot be leased any more, its rules stop. */
    renew(keys: Iterable<string>, reason: RenewReason = 'changed'): void {
      for (const key of keys) if (forced.get(key) !== 'changed') forced.set(key, reason);
    },

    /** Look the leased tokens up at the next pass (the periodic check): one disabled elsewhere stops its rule. */
    inspectAll(): void {
      inspectEvery = true;
    },

    /** The leases that can go on a request now, and why the other bound tokens have none. */
    async view(): Promise<LeaseView> {
      const now = deps.now();
      const view: LeaseView = { values: new Map(), leases: new Map(), waiting: new Map(waiting) };
      for (const [key, lease] of Object.entries(await deps.leases.getValue())) {
        if (!leaseUsable(lease, now)) {
          if (!view.waiting.has(key))
            view.waiting.set(key, { state: 'checking', message: 'Its lease is being renewed.' });
          continue;
        }
        view.values.set(key, lease.value);
        view.leases.set(key, { renewsAt: lease.renewAt, expiresAt: lease.expiresAt, via: lease.via });
      }
      return view;
    },
  };
}

export type LeaseKeeper = ReturnType<typeof createLeaseKeeper>;
