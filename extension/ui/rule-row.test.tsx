// @vitest-environment happy-dom
// A rule sending a lease says so, with when the lease renews and what minted it; other states do not.
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseText, RuleRow } from './rule-row';

afterEach(cleanup);

const rule = {
  id: 1,
  token: { server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci' },
  patterns: ['api.example.com'],
  enabled: true,
};
const noop = () => {};
const now = Date.parse('2026-12-06T10:00:00Z');

describe('the lease on a rule row', () => {
  it('says the rule sends a lease, when it renews, and what minted it', () => {
    expect(leaseText({ renewsAt: now + 38_400, expiresAt: now + 58_000, via: 'session' }, now)).toMatch(
      /^Sends a lease, never the token; next renewal in 38 s, at .+ \(minted with your sign-in\)\.$/,
    );
    expect(leaseText({ renewsAt: now + 600_000, expiresAt: now + 900_000, via: 'value' }, now)).toMatch(
      /next renewal in 10 min, at .+ \(minted with the pasted value\)\.$/,
    );
    expect(leaseText({ renewsAt: now - 1, expiresAt: now + 10_000, via: 'value' }, now)).toContain(
      'next renewal now',
    );
  });

  it('shows the line only while the rule injects a lease', () => {
    const lease = { renewsAt: now + 38_000, expiresAt: now + 58_000, via: 'session' as const };
    const { container, rerender } = render(
      <RuleRow
        rule={rule}
        status={{ state: 'active', lease }}
        onToggle={noop}
        onEdit={noop}
        onRemove={noop}
        now={now}
      />,
    );
    expect(container.querySelector('.rule-lease')?.textContent).toContain('next renewal in 38 s');
    rerender(
      <RuleRow
        rule={rule}
        status={{ state: 'sign-in', message: 'Waiting for you to sign in.' }}
        onToggle={noop}
        onEdit={noop}
        onRemove={noop}
        now={now}
      />,
    );
    expect(container.querySelector('.rule-lease')).toBeNull();
    expect(container.querySelector('.rule-status')?.textContent).toBe('Waiting for you to sign in.');
  });
  it('names its on switch with the rule, for a screen reader moving through the list', () => {
    render(
      <RuleRow rule={rule} status={undefined} onToggle={noop} onEdit={noop} onRemove={noop} now={now} />,
    );
    expect(screen.getByRole('checkbox', { name: 'Rule api.example.com on' })).toBeTruthy();
  });
});
