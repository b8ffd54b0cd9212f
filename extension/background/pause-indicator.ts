// The toolbar shows the global pause: a grey icon with pause bars, "OFF" on the badge and a title that says so.
import type { InjectionSettings, ValueItem } from '../core/storage-items';

type IconPaths = Record<string, string>;

/** The parts of `browser.action` the indicator uses. */
export interface ActionPort {
  setIcon(details: { path: IconPaths }): Promise<void>;
  setTitle(details: { title: string }): Promise<void>;
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
}

const SIZES = [16, 32, 48, 96, 128];
const icons = (prefix: string): IconPaths =>
  Object.fromEntries(SIZES.map((size) => [String(size), `icons/${prefix}${size}.png`]));

export const PAUSED_BADGE = { text: 'OFF', color: '#6e7781' } as const;

/** Sets the global (not per-tab) action state; per-tab "ON" badges of the injection lifecycle are left alone. */
export async function showPaused(action: ActionPort, paused: boolean): Promise<void> {
  await action.setIcon({ path: icons(paused ? 'paused-' : '') });
  await action.setTitle({ title: paused ? 'tokenward: injection paused' : 'tokenward' });
  await action.setBadgeText({ text: paused ? PAUSED_BADGE.text : '' });
  if (paused) await action.setBadgeBackgroundColor({ color: PAUSED_BADGE.color });
}

/** Shows the current pause state now and whenever the setting changes (storage watch, no polling). */
export async function watchPause(
  settings: Pick<ValueItem<InjectionSettings>, 'getValue'> & {
    watch(callback: (value: InjectionSettings) => void): () => void;
  },
  action: ActionPort,
): Promise<() => void> {
  const unwatch = settings.watch((value) => void showPaused(action, value.paused));
  await showPaused(action, (await settings.getValue()).paused);
  return unwatch;
}
