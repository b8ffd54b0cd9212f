// @vitest-environment happy-dom
// The options table as a user meets it: sortable headings, select all, bulk actions, and locked sign-ins.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Token } from '../../shared/schemas/token';
import { tokenKey } from '../core/model';
import { aToken } from '../testing/token';
import { TokenTable, type TokenTableProps } from './token-table';

afterEach(cleanup);

const token = (name: string, extra: Partial<Token> = {}) => aToken({ name, ...extra });

const ROWS = [token('alpha'), token('beta', { enabled: false }), token('gamma', { expired: true })];

function renderTable(props: Partial<TokenTableProps> = {}) {
  const handlers = {
    onSearch: vi.fn(),
    onSort: vi.fn(),
    onSelect: vi.fn(),
    onSelectAll: vi.fn(),
    onBulk: vi.fn(),
    onRetry: vi.fn(),
    onDetails: vi.fn(),
    onEdit: vi.fn(),
    onToggle: vi.fn(),
    onAsk: vi.fn(),
    onCancel: vi.fn(),
    onDuplicateChange: vi.fn(),
    onDuplicate: vi.fn(),
    onRemove: vi.fn(),
  };
  render(
    <TokenTable
      label="My tokens"
      list={{ kind: 'ready', items: ROWS, totalCount: ROWS.length }}
      rows={ROWS}
      now={Date.parse('2026-11-22T10:00:00Z')}
      owned={true}
      locked={null}
      search=""
      sort={{ column: 'name', descending: false }}
      selected={new Set()}
      bulk={null}
      busyRows={new Set()}
      expanded={null}
      prompt={null}
      duplicate={{ name: '', expiry: 'same', date: '' }}
      notice={null}
      emptyText="No tokens yet."
      {...handlers}
      {...props}
    />,
  );
  return handlers;
}

describe('TokenTable', () => {
  it('has the six sortable columns, marks the sorted one and sorts on a click', () => {
    const { onSort } = renderTable();
    const headings = screen
      .getAllByRole('columnheader')
      .map((th) => th.textContent?.replace(/[▲▼]/g, '').trim());
    expect(headings).toEqual(['', 'Name', 'Owner', 'Type', 'Status', 'Expires', 'Last used', 'Actions']);
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByRole('button', { name: /Last used/ }));
    expect(onSort).toHaveBeenCalledWith('lastUsed');
  });

  it('enables the bulk actions only for a selection, and asks before removing', () => {
    const first = renderTable();
    expect((screen.getByRole('button', { name: 'Disable selected' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    fireEvent.click(screen.getByLabelText('Select all shown tokens'));
    expect(first.onSelectAll).toHaveBeenCalledWith(true);
    cleanup();
    const handlers = renderTable({ selected: new Set(ROWS.slice(0, 2).map(tokenKey)) });
    expect(screen.getByRole('status').textContent).toBe('2 selected · 3 of 3 tokens');
    fireEvent.click(screen.getByRole('button', { name: 'Disable selected' }));
    expect(handlers.onBulk).toHaveBeenCalledWith('disable');
    fireEvent.click(screen.getByRole('button', { name: 'Remove selected' }));
    expect(handlers.onBulk).not.toHaveBeenCalledWith('remove');
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove 2' }));
    expect(handlers.onBulk).toHaveBeenCalledWith('remove');
  });

  it('asks before disabling the current session, alone or in a selection, and says it signs you out', () => {
    const session = token('web session 9', { type: 'SESSION', source: 'web', current: true });
    const rows = [...ROWS, session];
    const handlers = renderTable({
      list: { kind: 'ready', items: rows, totalCount: rows.length },
      rows,
      selected: new Set([tokenKey(session), tokenKey(ROWS[0] as Token)]),
    });
    const row = screen.getByRole('row', { name: 'web session 9 (admin)' });
    expect(row.textContent).toContain('(your current session)');
    fireEvent.click(within(row).getByRole('button', { name: 'Disable' }));
    expect(handlers.onAsk).toHaveBeenCalledWith(session, 'disable');
    expect(handlers.onToggle).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Disable selected' }));
    expect(handlers.onBulk).not.toHaveBeenCalled();
    expect(
      screen.getByText(/Disable 2 selected\?.*This includes your current session: it signs you out/),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, disable 2' }));
    expect(handlers.onBulk).toHaveBeenCalledWith('disable');
  });

  it('counts in words: one token, not "1 tokens"', () => {
    const one = [token('solo')];
    renderTable({
      list: { kind: 'ready', items: one, totalCount: 1 },
      rows: one,
      selected: new Set([tokenKey(token('solo'))]),
    });
    expect(screen.getByRole('status').textContent).toBe('1 selected · 1 of 1 token');
    fireEvent.click(screen.getByRole('button', { name: 'Remove selected' }));
    expect(screen.getByText(/Remove 1 selected\? It stops working at once\./)).toBeTruthy();
  });

  it('offers Renew for an expired token and Enable for a disabled one', () => {
    const { onEdit } = renderTable();
    const gamma = screen.getByRole('row', { name: 'gamma (admin)' });
    fireEvent.click(within(gamma).getByRole('button', { name: 'Renew…' }));
    expect(onEdit).toHaveBeenCalledWith(ROWS[2]);
    expect(within(gamma).queryByRole('button', { name: /Enable|Disable/ })).toBeNull();
    const beta = screen.getByRole('row', { name: 'beta (admin)' });
    expect(within(beta).getByRole('button', { name: 'Enable' })).toBeTruthy();
  });

  it('shows every change unavailable, with the reason, to a restricted sign-in', () => {
    renderTable({
      locked: 'Unavailable: restricted token.',
      selected: new Set([tokenKey(ROWS[0] as Token)]),
    });
    const alpha = screen.getByRole('row', { name: 'alpha (admin)' });
    for (const name of ['Edit', 'Disable', 'Duplicate', 'Remove']) {
      const button = within(alpha).getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toBe('Unavailable: restricted token.');
    }
    expect((screen.getByRole('button', { name: 'Remove selected' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(screen.getByText('Unavailable: restricted token.')).toBeTruthy();
  });
});

describe('the page the table is on', () => {
  it('keeps onChange of a number or text field for the committed value, not each key', () => {
    // The table is drawn on the options page beside settings fields that save on change: loading it must not
    // turn their onChange into an onInput (as importing preact/compat does).
    const changed = vi.fn();
    render(
      <>
        <input type="number" aria-label="seconds" onChange={(event) => changed(event.currentTarget.value)} />
        <input type="text" aria-label="minutes" onChange={(event) => changed(event.currentTarget.value)} />
      </>,
    );
    for (const name of ['seconds', 'minutes']) {
      const field = screen.getByLabelText(name);
      fireEvent.input(field, { target: { value: '3' } });
      expect(changed, name).not.toHaveBeenCalled();
      fireEvent.change(field, { target: { value: '30' } });
      expect(changed, name).toHaveBeenLastCalledWith('30');
      changed.mockClear();
    }
    expect(TokenTable).toBeTypeOf('function');
  });
});
