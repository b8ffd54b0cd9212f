// @vitest-environment happy-dom
// A row removed from under the keyboard: the focus moves to the row in its place, then the one before, then the
// list's fallback; never to <body>. And a list the user has left keeps its hands off the focus.

import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useRef, useState } from 'preact/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { useListFocus } from './list-focus';

afterEach(cleanup);

function Rows({ initial }: { initial: string[] }) {
  const [rows, setRows] = useState(initial);
  const fallback = useRef<HTMLButtonElement>(null);
  const focus = useListFocus<HTMLUListElement>(fallback);
  return (
    <>
      <button type="button" ref={fallback}>
        New
      </button>
      <input aria-label="Elsewhere" />
      {rows.length === 0 ? (
        <p>None left.</p>
      ) : (
        <ul {...focus}>
          {rows.map((row) => (
            <li key={row}>
              <button type="button">Open {row}</button>
              <button type="button" onClick={() => setRows(rows.filter((other) => other !== row))}>
                Remove {row}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={() => setRows(rows.slice(1))}>
        Drop the first
      </button>
    </>
  );
}

function removeWithKeyboard(name: string): void {
  const button = screen.getByRole('button', { name });
  button.focus();
  fireEvent.click(button);
}

describe('the focus in a list whose rows are removed', () => {
  it('moves to the row that takes the removed one’s place', () => {
    render(<Rows initial={['a', 'b', 'c']} />);
    removeWithKeyboard('Remove b');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open c' }));
  });

  it('moves to the row before when the last row goes, and to the fallback when none is left', () => {
    render(<Rows initial={['a', 'b']} />);
    removeWithKeyboard('Remove b');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open a' }));
    removeWithKeyboard('Remove a');
    expect(screen.getByText('None left.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New' }));
  });

  it('leaves the focus where the user put it outside the list', () => {
    render(<Rows initial={['a', 'b', 'c']} />);
    screen.getByRole('button', { name: 'Open a' }).focus();
    const elsewhere = screen.getByLabelText('Elsewhere');
    elsewhere.focus();
    // The rows change while the user is elsewhere (a refresh, another window's removal).
    fireEvent.click(screen.getByRole('button', { name: 'Drop the first' }));
    expect(document.activeElement).toBe(elsewhere);
  });
});
