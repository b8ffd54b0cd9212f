// One injection rule: its patterns, its token, why it is (not) injecting, and its switch.

import type { ComponentChildren } from 'preact';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import type { LeaseTiming, RuleStatus } from '../core/dnr-rules';
import { duration } from '../core/time-text';
import { ExpiryCountdown } from './expiry-countdown';
import { resourceTypesText } from './resource-types';

export function ruleStatusText(status: RuleStatus | undefined): string {
  if (status === undefined) return 'Not applied yet.';
  switch (status.state) {
    case 'active':
      return 'Injecting.';
    case 'off':
      return 'Off.';
    case 'paused':
      return 'Paused (all injection is paused).';
    default:
      return status.message ?? status.state;
  }
}

const CLOCK = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** When the lease a rule sends is renewed, and what minted it. */
export function leaseText(lease: LeaseTiming, now: number): string {
  const seconds = Math.max(0, (lease.renewsAt - now) / 1000);
  const when = seconds < 1 ? 'now' : `in ${seconds < 60 ? `${Math.round(seconds)} s` : duration(seconds)}`;
  const via = lease.via === 'session' ? 'your sign-in' : 'the pasted value';
  return `Sends a lease, never the token; next renewal ${when}, at ${CLOCK.format(new Date(lease.renewsAt))} (minted with ${via}).`;
}

export interface RuleRowProps {
  rule: InjectionRule;
  status: RuleStatus | undefined;
  onToggle: (enabled: boolean) => void;
  onEdit: () => void;
  onRemove: () => void;
  /** Asks the browser again for host access the user removed (the origins the status names). */
  onGrantAccess?: (origins: string[]) => void;
  /** Why the last request this rule matched was refused (401/403), drawn by the caller. */
  outcome?: ComponentChildren;
  now?: number;
  /** When the rule's token expires, as its last check found. */
  expirationDate?: string | null | undefined;
}

export function RuleRow({
  rule,
  status,
  onToggle,
  onEdit,
  onRemove,
  onGrantAccess,
  outcome,
  now,
  expirationDate,
}: RuleRowProps) {
  const label = rule.patterns.join(', ');
  const tone =
    status?.state === 'active'
      ? 'ok'
      : status?.state === 'off' || status?.state === 'paused'
        ? 'idle'
        : 'error';
  return (
    <li class="rule-row" aria-label={label}>
      <div class="token-head">
        <span class="token-name" title={label}>
          {label}
        </span>
        <label class="check switch">
          <input
            type="checkbox"
            // Named with its rule: a screen reader moving through the list hears which rule it switches.
            aria-label={`Rule ${label} on`}
            checked={rule.enabled}
            onChange={(event) => onToggle(event.currentTarget.checked)}
          />
          <span aria-hidden="true">On</span>
        </label>
      </div>
      <div class="token-meta">
        <span>
          {rule.token.name} ({rule.token.user})
        </span>
        {rule.tabId !== undefined && <span>this tab only</span>}
        {rule.resourceTypes && <span>{resourceTypesText(rule.resourceTypes)}</span>}
        {rule.initiators && <span>from {rule.initiators.join(', ')}</span>}
        {rule.anyPage && (
          <span class="any-page" title="Every site you visit can send requests that carry this token.">
            from any page
          </span>
        )}
      </div>
      <p class={`rule-status rule-${tone}`} data-state={status?.state ?? 'unknown'}>
        {ruleStatusText(status)}
      </p>
      {status?.state === 'active' && status.lease && (
        <p class="rule-lease" data-renews-at={status.lease.renewsAt}>
          {leaseText(status.lease, now ?? Date.now())}
        </p>
      )}
      {status?.state === 'host-access-removed' && status.origins && onGrantAccess && (
        <button type="button" class="small" onClick={() => onGrantAccess(status.origins ?? [])}>
          Grant access again
        </button>
      )}
      {status?.state === 'active' && (
        <ExpiryCountdown name={rule.token.name} expirationDate={expirationDate} now={now ?? Date.now()} />
      )}
      {outcome}
      <div class="token-actions">
        <button type="button" class="small ghost" onClick={onEdit}>
          Edit
        </button>
        <button type="button" class="small ghost danger-text" onClick={onRemove}>
          Remove
        </button>
      </div>
    </li>
  );
}
