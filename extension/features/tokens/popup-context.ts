// Hands the popup's state and actions to its components without threading them through every prop.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PopupActions } from './popup-actions';
import type { PopupState } from './popup-state';

export interface Popup {
  state: PopupState;
  actions: PopupActions;
}

export const PopupContext = createContext<Popup | null>(null);

export function usePopup(): Popup {
  const popup = useContext(PopupContext);
  if (popup === null) throw new Error('usePopup() needs a <PopupContext.Provider> above it.');
  return popup;
}
