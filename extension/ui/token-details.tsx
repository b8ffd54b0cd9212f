// A token's details: description, permissions with their labels, created, last used, and the expiry in full.
import type { Token } from '../../shared/schemas/token';
import { absoluteDate, expiryText, lastUsedText } from '../core/time-text';
import { permissionLabel } from './permission-label';

export function TokenDetails({ token, now }: { token: Token; now: number }) {
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
      <dt>Created</dt>
      <dd>{absoluteDate(token.createdDate)}</dd>
      <dt>Last used</dt>
      <dd>
        {token.lastUsedDate === null
          ? 'never'
          : `${absoluteDate(token.lastUsedDate)} (${lastUsedText(token.lastUsedDate, now)})`}
      </dd>
      <dt>{token.expired ? 'Expired' : 'Expires'}</dt>
      <dd>
        {absoluteDate(token.expirationDate)} ({expiryText(token.expirationDate, token.expired, now)})
      </dd>
    </dl>
  );
}
