// The field a form or question starts in: focused once as it opens. (A ref callback written inline would focus
// it again on every render, taking the focus back from wherever the user has moved it.)
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function useFocusOnOpen<T extends HTMLElement>(): RefObject<T | null> {
  const element = useRef<T>(null);
  useEffect(() => element.current?.focus(), []);
  return element;
}
