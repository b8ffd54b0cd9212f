// @vitest-environment happy-dom
// Notices: a success fades once it has been read; an error stays until the next action replaces it.
import { act, cleanup, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NoticeLine, readingTimeMs } from './notice-line';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('NoticeLine', () => {
  it('fades a success after its reading time, politely announced', () => {
    render(<NoticeLine notice={{ tone: 'ok', text: 'Rule saved.' }} />);
    expect(screen.getByRole('status').textContent).toBe('Rule saved.');
    act(() => {
      vi.advanceTimersByTime(readingTimeMs('Rule saved.'));
    });
    expect(screen.getByRole('status').className).toContain('fading');
    act(() => {
      vi.advanceTimersByTime(1_000);
    });
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('keeps an error', () => {
    render(<NoticeLine notice={{ tone: 'error', text: 'The server at x is unreachable.' }} />);
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByRole('alert').textContent).toBe('The server at x is unreachable.');
  });

  it('shows a new success in full, even after the last one faded', () => {
    const { rerender } = render(<NoticeLine notice={{ tone: 'ok', text: 'Rule on.' }} />);
    act(() => {
      vi.advanceTimersByTime(20_000);
    });
    rerender(<NoticeLine notice={{ tone: 'ok', text: 'Rule off.' }} />);
    expect(screen.getByRole('status').textContent).toBe('Rule off.');
  });
});
