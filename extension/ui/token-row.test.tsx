// @vitest-environment happy-dom
// A popup row: details with labels and absolute dates, Renew for expired tokens, locked actions with a reason.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Token } from '../../shared/schemas/token';
import { TokenRow, type TokenRowProps } from './token-row';

afterEach(cleanup);

const TOKEN: Token = {
  name: 'CI deploy',
  description: 'deploys from CI',
  user: 'admin',
  type: 'USER',
  source: 'api',
  enabled: true,
  expired: false,
  restricted: true,
  permissions: ['repositories:access', 'repository/Samples:run'],
  createdDate: '2026-11-22T10:00:00Z',
  lastSaveDate: '2026-11-22T10:00:00Z',
  expirationDate: '2026-11-29T10:00:00Z',
  lastUsedDate: '2026-11-22T09:00:00Z',
  current: false,
};

function renderRow(props: Partial<TokenRowProps> = {}) {
  const handlers = {
    onToggle: vi.fn(),
    onAsk: vi.fn(),
    onCancel: vi.fn(),
    onDuplicateChange: vi.fn(),
    onDuplicate: vi.fn(),
    onRemove: vi.fn(),
    onEdit: vi.fn(),
    onDetails: vi.fn(),
  };
  render(
    <ul>
      <TokenRow
        token={TOKEN}
        now={Date.parse('2026-11-22T10:00:05Z')}
        showOwner={false}
        busy={false}
        prompt={null}
        duplicate={{ name: '', expiry: 'same', date: '' }}
        expanded={false}
        locked={null}
        {...handlers}
        {...props}
      />
    </ul>,
  );
  return handlers;
}

describe('TokenRow', () => {
  it('shows the details: description, permissions by label, created, last used, absolute expiry', () => {
    const { onDetails } = renderRow();
    expect(screen.getByText('expires in 7 days').getAttribute('title')).toMatch(/2026/);
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    expect(onDetails).toHaveBeenCalledOnce();
    cleanup();
    renderRow({ expanded: true });
    const details = screen.getByLabelText('Details of CI deploy');
    expect(details.textContent).toContain('deploys from CI');
    expect(details.textContent).toContain('Repository Samples: Run');
    expect(details.textContent).toContain('Repositories: Access');
    expect(details.textContent).toMatch(/Expires.*2026.*\(expires in 7 days\)/);
    expect(details.textContent).toMatch(/Last used.*2026.*\(used 1 hour ago\)/);
  });

  it('says where the last use came from: the address and the client family, in words for Other', () => {
    renderRow({
      expanded: true,
      token: { ...TOKEN, lastUsedAddress: '2001:db8:1:2::/64', lastUsedClient: 'FME Form' },
    });
    expect(screen.getByLabelText('Details of CI deploy').textContent).toContain(
      'Last used from2001:db8:1:2::/64 by FME Form',
    );
    cleanup();
    renderRow({
      expanded: true,
      token: { ...TOKEN, lastUsedAddress: '203.0.113.5', lastUsedClient: 'Other' },
    });
    expect(screen.getByLabelText('Details of CI deploy').textContent).toContain(
      'Last used from203.0.113.5 by another client',
    );
    cleanup();
    // Never used, or used before the server kept where from: no line at all.
    renderRow({ expanded: true, token: { ...TOKEN, lastUsedDate: null } });
    expect(screen.getByLabelText('Details of CI deploy').textContent).not.toContain('Last used from');
    cleanup();
    renderRow({ expanded: true });
    expect(screen.getByLabelText('Details of CI deploy').textContent).not.toContain('Last used from');
  });

  it("asks for the copy's name and expiry, offering the original's lifetime first", () => {
    const { onDuplicateChange, onDuplicate } = renderRow({
      prompt: 'duplicate',
      duplicate: { name: 'CI deploy (copy)', expiry: 'same', date: '' },
    });
    const expiry = screen.getByLabelText('The copy expires after') as HTMLSelectElement;
    expect(expiry.selectedOptions[0]?.textContent).toBe('7 days, as the original');
    fireEvent.change(expiry, { target: { value: '1d' } });
    expect(onDuplicateChange).toHaveBeenCalledWith({ expiry: '1d' });
    fireEvent.click(screen.getByRole('button', { name: 'Create copy' }));
    expect(onDuplicate).toHaveBeenCalledOnce();
  });

  it('offers Renew (not Enable) on an expired API token', () => {
    const { onEdit } = renderRow({ token: { ...TOKEN, expired: true, enabled: true } });
    expect(screen.queryByRole('button', { name: 'Disable' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Renew…' }));
    expect(onEdit).toHaveBeenCalledOnce();
  });

  it("marks this browser's session with an icon and words, and asks before disabling or removing it", () => {
    const session: Token = {
      ...TOKEN,
      name: 'web session 1',
      type: 'SESSION',
      source: 'web',
      restricted: false,
      current: true,
    };
    const { onAsk, onToggle } = renderRow({ token: session });
    const head = screen.getByText('web session 1').parentElement;
    expect(head?.querySelector('svg[aria-hidden="true"]')).not.toBeNull();
    expect(head?.textContent).toContain('web session 1(your current session)');
    fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
    expect(onAsk).toHaveBeenCalledWith('disable');
    expect(onToggle).not.toHaveBeenCalled();
    cleanup();
    const asked = renderRow({ token: session, prompt: 'disable' });
    expect(screen.getByText(/Disable your current session\? This signs you out/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, disable' }));
    expect(asked.onToggle).toHaveBeenCalledOnce();
    cleanup();
    renderRow({ token: session, prompt: 'remove' });
    expect(screen.getByText(/Remove your current session\? This signs you out/)).toBeTruthy();
    cleanup();
    // Once disabled (after signing in again it is just another session), Enable is one click.
    const off = renderRow({ token: { ...session, enabled: false, current: false } });
    fireEvent.click(screen.getByRole('button', { name: 'Enable' }));
    expect(off.onToggle).toHaveBeenCalledOnce();
  });

  it('shows the changes unavailable, with the reason, to a restricted sign-in', () => {
    renderRow({ locked: 'Unavailable: restricted token.' });
    for (const name of ['Edit', 'Disable', 'Duplicate', 'Remove']) {
      const button = screen.getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toBe('Unavailable: restricted token.');
    }
    expect((screen.getByRole('button', { name: 'Details' }) as HTMLButtonElement).disabled).toBe(false);
  });
  it('marks a token reported as leaked, says when in its details, and asks before enabling it again', () => {
    const leaked = { ...TOKEN, enabled: false, exposed: true, exposedDate: '2026-11-22T09:30:00Z' };
    const { onAsk, onToggle } = renderRow({ token: leaked, expanded: true });
    const chip = screen.getByText('leaked');
    expect(chip.getAttribute('title')).toMatch(/^Reported as leaked on .*2026/);
    expect(screen.getByText('disabled')).toBeTruthy();
    expect(screen.getByLabelText('Details of CI deploy').textContent).toMatch(
      /Reported leaked.*2026.*its value is public/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Enable' }));
    expect(onAsk).toHaveBeenCalledWith('enable');
    expect(onToggle).not.toHaveBeenCalled();
    cleanup();
    const asked = renderRow({ token: leaked, prompt: 'enable' });
    expect(
      screen.getByText(/Enable it again\? It was reported as leaked on .*2026.*can use it/),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, enable' }));
    expect(asked.onToggle).toHaveBeenCalledOnce();
  });

  it('enables a disabled token that was never reported at once, and shows no leaked mark', () => {
    const { onAsk, onToggle } = renderRow({ token: { ...TOKEN, enabled: false } });
    expect(screen.queryByText('leaked')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Enable' }));
    expect(onToggle).toHaveBeenCalledOnce();
    expect(onAsk).not.toHaveBeenCalled();
  });
});
