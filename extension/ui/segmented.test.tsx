// @vitest-environment happy-dom
// Tabs move with the arrow keys, Home and End, and only the selected tab is in the tab order.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { Segmented } from './segmented';

afterEach(cleanup);

const OPTIONS = [
  { value: 'a', label: 'API tokens' },
  { value: 'b', label: 'Session tokens' },
  { value: 'c', label: 'Third' },
] as const;

function Tabs() {
  const [value, setValue] = useState<'a' | 'b' | 'c'>('a');
  return <Segmented label="Token type" options={OPTIONS} value={value} onChange={setValue} />;
}

describe('Segmented', () => {
  it('moves the selection and the focus with arrow keys, Home and End', () => {
    render(<Tabs />);
    const tab = (name: string) => screen.getByRole('tab', { name });
    expect(tab('API tokens').tabIndex).toBe(0);
    expect(tab('Session tokens').tabIndex).toBe(-1);
    tab('API tokens').focus();
    fireEvent.keyDown(tab('API tokens'), { key: 'ArrowRight' });
    expect(tab('Session tokens').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab('Session tokens'));
    fireEvent.keyDown(tab('Session tokens'), { key: 'End' });
    expect(tab('Third').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tab('Third'), { key: 'ArrowRight' });
    expect(tab('API tokens').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tab('API tokens'), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(tab('Third'));
  });
});
