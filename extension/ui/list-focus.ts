// A list whose rows can be removed under the keyboard focus (a token, a rule): when the row holding the focus
// leaves, the focus moves to the row now in its place, else to the row before it, else to `fallback` (the list's
// own "New …" button). Left alone, the browser drops it to <body>, and a keyboard user starts from the top.
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), a[href], [tabindex="0"]';

export interface ListFocus<T extends HTMLElement> {
  ref: RefObject<T>;
  onFocusIn: (event: FocusEvent) => void;
  onFocusOut: (event: FocusEvent) => void;
}

/** Spread the result on the list's element; its children are the rows. */
export function useListFocus<T extends HTMLElement>(fallback?: RefObject<HTMLElement | null>): ListFocus<T> {
  const ref = useRef<T>(null);
  // The row the focus is in, and where it was among the rows; undefined once the user moved the focus elsewhere.
  const focused = useRef<{ row: Element; index: number } | undefined>(undefined);

  // After every render: cheap unless the row that held the focus has just gone. A removal can pass through a
  // render with nothing to focus (a list reloading shows "Loading…"), so it is tried again on the next render.
  useEffect(() => {
    const lost = focused.current;
    if (lost === undefined || lost.row.isConnected) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body && active.isConnected) {
      // The user (or a form opening) has put it somewhere already.
      focused.current = undefined;
      return;
    }
    // The last row gone, the list itself may be gone (an empty list is a line of text).
    const children = ref.current?.isConnected ? [...ref.current.children] : [];
    const candidates = [children[lost.index], ...children.slice(0, lost.index).reverse()];
    const target =
      candidates.map((row) => row?.querySelector<HTMLElement>(FOCUSABLE)).find((element) => element) ??
      fallback?.current;
    if (!target?.isConnected) return;
    focused.current = undefined;
    target.focus();
  });

  return {
    ref: ref as RefObject<T>,
    onFocusIn: (event) => {
      const rows = ref.current ? [...ref.current.children] : [];
      const index = rows.findIndex((row) => row.contains(event.target as Node));
      const row = rows[index];
      focused.current = row ? { row, index } : undefined;
    },
    onFocusOut: (event) => {
      // Moved elsewhere on the page: forget the row. (A row removed takes the focus with it to nowhere, with no
      // element to name, so that is kept.)
      const next = event.relatedTarget as Node | null;
      if (next !== null && !ref.current?.contains(next)) focused.current = undefined;
    },
  };
}
