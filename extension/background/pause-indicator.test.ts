// The toolbar's paused state follows the global pause setting as it changes (WXT's fake browser storage).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_INJECTION_SETTINGS, injectionSettingsItem } from '../core/storage-items';
import { type ActionPort, watchPause } from './pause-indicator';

function fakeAction() {
  return {
    setIcon: vi.fn<ActionPort['setIcon']>(async () => {}),
    setTitle: vi.fn<ActionPort['setTitle']>(async () => {}),
    setBadgeText: vi.fn<ActionPort['setBadgeText']>(async () => {}),
    setBadgeBackgroundColor: vi.fn<ActionPort['setBadgeBackgroundColor']>(async () => {}),
  };
}

beforeEach(() => fakeBrowser.reset());

describe('the paused toolbar state', () => {
  it('shows the paused icon and OFF badge while injection is paused, and the normal icon again after', async () => {
    const action = fakeAction();
    await watchPause(injectionSettingsItem, action);
    expect(action.setIcon).toHaveBeenLastCalledWith({
      path: expect.objectContaining({ '16': 'icons/16.png' }),
    });
    expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '' });

    await injectionSettingsItem.setValue({ ...DEFAULT_INJECTION_SETTINGS, paused: true });
    await vi.waitFor(() => expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: 'OFF' }));
    expect(action.setIcon).toHaveBeenLastCalledWith({
      path: expect.objectContaining({ '128': 'icons/paused-128.png' }),
    });
    expect(action.setTitle).toHaveBeenLastCalledWith({ title: 'tokenward: injection paused' });

    await injectionSettingsItem.setValue({ ...DEFAULT_INJECTION_SETTINGS, paused: false });
    await vi.waitFor(() => expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '' }));
    expect(action.setIcon).toHaveBeenLastCalledWith({
      path: expect.objectContaining({ '16': 'icons/16.png' }),
    });
  });
});
