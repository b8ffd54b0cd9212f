// @vitest-environment happy-dom
// A token's leases in its details: the count and last use, and ending them all only after a second click.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LeaseSummaryProps, LeaseSummaryView } from './lease-summary';

afterEach(cleanup);

const NOW = Date.parse('2026-11-22T10:00:00Z');

function renderSummary(props: Partial<LeaseSummaryProps> = {}) {
  const handlers = { onAsk: vi.fn(), onCancel: vi.fn(), onEnd: vi.fn() };
  const { container } = render(
    <LeaseSummaryView
      state={{ kind: 'ready', summary: { live: 3, lastUsedDate: '2026-11-22T09:58:00Z' } }}
      now={NOW}
      confirming={false}
      busy={false}
      {...handlers}
      {...props}
    />,
  );
  return { ...handlers, container };
}

describe('lease summary', () => {
  it('counts the live leases with their last use, and asks before ending them', () => {
    const { onAsk, onEnd, container } = renderSummary();
    expect(container.textContent).toContain('3 live leases, used 2 min ago');
    fireEvent.click(screen.getByRole('button', { name: 'End all leases' }));
    expect(onAsk).toHaveBeenCalledOnce();
    expect(onEnd).not.toHaveBeenCalled();
  });

  it('ends them on the confirmation, and Cancel or Escape leaves them', () => {
    const { onEnd, onCancel } = renderSummary({ confirming: true });
    expect(screen.getByText(/End all 3 leases\?/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, end them' }));
    expect(onEnd).toHaveBeenCalledOnce();
  });

  it('offers nothing to end when none is live, and says why it could not tell', () => {
    const { container } = renderSummary({
      state: { kind: 'ready', summary: { live: 0, lastUsedDate: null } },
    });
    expect(container.textContent).toBe('none live');
    expect(screen.queryByRole('button')).toBeNull();
    cleanup();
    renderSummary({ state: { kind: 'failed', message: 'The server at x is unreachable.' } });
    expect(screen.getByRole('alert').textContent).toBe('The server at x is unreachable.');
  });
});
