// @vitest-environment happy-dom
// The token form as a user meets it: focus, Esc, the edit and renew variants, and the dependency offer in words.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeCatalogue } from '../../shared/permissions';
import type { Token } from '../../shared/schemas/token';
import { draftFromToken, emptyDraft } from '../core/token-draft';
import { TokenForm, type TokenFormProps } from './token-form';

afterEach(cleanup);

const TOKEN: Token = {
  name: 'CI deploy',
  description: 'deploys',
  user: 'admin',
  type: 'USER',
  source: 'api',
  enabled: true,
  expired: false,
  restricted: true,
  permissions: ['repositories:access', 'repository/Samples:read'],
  createdDate: '2026-11-22T10:00:00Z',
  lastSaveDate: '2026-11-22T10:00:00Z',
  expirationDate: '2026-11-29T10:00:00Z',
  lastUsedDate: null,
  current: false,
};

function renderForm(props: Partial<TokenFormProps> = {}) {
  const handlers = {
    onChange: vi.fn(),
    onSubmit: vi.fn(),
    onGrant: vi.fn(),
    onCancel: vi.fn(),
    onRetryCatalogue: vi.fn(),
  };
  render(
    <TokenForm
      draft={emptyDraft()}
      editing={null}
      granted={[]}
      catalogue={{ kind: 'ready', value: describeCatalogue() }}
      held={['repositories:access', 'repository/*:manage', 'runworkspace:access', 'jobs:access']}
      knownRepositories={['Samples', 'Reports']}
      missing={[]}
      error={null}
      busy={false}
      {...handlers}
      {...props}
    />,
  );
  return handlers;
}

describe('TokenForm', () => {
  it("offers the server's repositories by name in a repository row, and still takes any typed name", () => {
    const { onChange } = renderForm({ draft: { ...emptyDraft(), restricted: true } });
    const name = screen.getByLabelText('Repository 1 name') as HTMLInputElement;
    const offered = document.getElementById(name.getAttribute('list') ?? '');
    expect([...(offered?.querySelectorAll('option') ?? [])].map((option) => option.value)).toEqual([
      '*',
      'Samples',
      'Reports',
    ]);
    fireEvent.input(name, { target: { value: 'Not listed' } });
    expect(onChange).toHaveBeenCalledWith({ repositories: [{ name: 'Not listed', levels: [] }] });
  });

  it('focuses the name of a new token, and Esc cancels', () => {
    const { onCancel } = renderForm();
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));
    fireEvent.keyDown(screen.getByLabelText('Name'), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledOnce();
    expect(screen.getByRole('button', { name: 'Create token' })).toBeTruthy();
  });

  it('edits in place: the name is fixed, the description focused, the expiry kept by default', () => {
    renderForm({ draft: draftFromToken(TOKEN), editing: TOKEN });
    expect((screen.getByLabelText('Name') as HTMLInputElement).readOnly).toBe(true);
    expect(document.activeElement).toBe(screen.getByLabelText('Description'));
    const expiry = screen.getByLabelText('Expires after') as HTMLSelectElement;
    expect(expiry.value).toBe('keep');
    expect(expiry.selectedOptions[0]?.textContent).toMatch(/^Keep: .*2026/);
    expect(screen.queryByLabelText('Enabled')).toBeNull();
    expect((screen.getByLabelText('Repository 1 name') as HTMLInputElement).value).toBe('Samples');
    expect((screen.getByLabelText('Repository 1 Read') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeTruthy();
  });

  it('renews an expired token: no "keep", a sentence with the date, "Renew and enable"', () => {
    const expired = { ...TOKEN, expired: true };
    renderForm({ draft: draftFromToken(expired), editing: expired });
    const expiry = screen.getByLabelText('Expires after') as HTMLSelectElement;
    expect([...expiry.options].map((o) => o.value)).not.toContain('keep');
    expect(expiry.value).toBe('30d');
    expect(screen.getByText(/A new expiration enables it again/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Renew and enable' })).toBeTruthy();
  });

  it('offers missing dependencies by label and id, and says what was added for review', () => {
    const { onGrant } = renderForm({ missing: ['jobs:access', 'repository/Samples:read'] });
    const offer = screen.getByRole('alert');
    expect(offer.textContent).toContain('Jobs: Access');
    expect(offer.textContent).toContain('Repository Samples: Read');
    expect(offer.textContent).toContain('jobs:access');
    fireEvent.click(screen.getByRole('button', { name: 'Grant additional permissions' }));
    expect(onGrant).toHaveBeenCalledOnce();
    cleanup();
    renderForm({ granted: ['jobs:access'] });
    expect(screen.getByRole('status').textContent).toBe(
      'Added Jobs: Access. Review the permissions, then create the token.',
    );
  });
});
