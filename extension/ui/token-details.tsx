// A token's details: description, permissions with their labels, created, last used (when, from where, by
// what), its leases, and the expiry in full.
import type { ComponentChildren } from 'preact';
import type { Token } from '../../shared/schemas/token';
import { absoluteDate, expiryText, lastUsedText } from '../core/time-text';
import { permissionLabel } from './permission-label';

export interface TokenDetailsProps {
  token: Token;
  now: number;
  /** The token's leases (an API token's, for its owner), filled in by whoever can ask the server. */
  leases?: ComponentChildren;
}

export function TokenDetails({ token, now, leases }: TokenDetailsProps) {
  return (
    <dl class="token-details" aria-label={`Details of ${token.name}`}>
      <dt>Description</dt>
      <dd>{token.description || <span class="muted">none</span>}</dd>
      <dt>Permissions</dt>
      <dd>
        {token.type === 'SESSION' || !token.restricted ? (
          'All Permissions (whatever the owner holds)'
        ) : (
          <ul class="permission-list">
            {(token.permissions ?? []).map((permission) => (
              <li key={permission}>
                {permissionLabel(permission)} <code>{permission}</code>
              </li>
            ))}
          </ul>
        )}
      </dd>
      {token.exposedDate && (
        <>
          <dt>Reported leaked</dt>
          <dd class="leaked">
            {absoluteDate(token.exposedDate)}: it was disabled, and its value is public. Duplicate it for a
            new value rather than enabling it again.
          </dd>
        </>
      )}
      <dt>Created</dt>
      <dd>{absoluteDate(token.createdDate)}</dd>
      <dt>Last used</dt>
      <dd>
        {token.lastUsedDate === null
          ? 'never'
          : `${absoluteDate(token.lastUsedDate)} (${lastUsedText(token.lastUsedDate, now)})`}
      </dd>
      {token.lastUsedDate !== null && (token.lastUsedAddress || token.lastUsedClient) && (
        <>
          <dt>Last used from</dt>
          <dd>
            {token.lastUsedAddress ? <code>{token.lastUsedAddress}</code> : 'an unknown address'}
            {token.lastUsedClient ? ` by ${clientName(token.lastUsedClient)}` : ''}
          </dd>
        </>
      )}
      {leases !== undefined && (
        <>
          <dt>Leases</dt>
          <dd>{leases}</dd>
        </>
      )}
      <dt>{token.expired ? 'Expired' : 'Expires'}</dt>
      <dd>
        {absoluteDate(token.expirationDate)} ({expiryText(token.expirationDate, token.expired, now)})
      </dd>
    </dl>
  );
}

/** "Other" is a family the server could not name: say so in words. */
function clientName(family: string): string {
  return family === 'Other' ? 'another client' : family;
}
