// Where token values live: session storage, or sealed in local storage under a key that opting out destroys.
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createTokenValue } from '../../shared/token-format';
import {
  injectionSettingsItem,
  keptTokensItem,
  legacyDeviceTokensItem,
  sealedTokensItem,
} from '../core/storage-items';
import { createMemoryKeyFile, type MemoryKeyFile } from '../testing/memory-key-file';
import { createDeviceSeal } from './device-seal';
import { createValueStore } from './value-store';

let keyFile: MemoryKeyFile;
const entry = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci', value: createTokenValue() };

function store() {
  return createValueStore({
    session: keptTokensItem,
    device: sealedTokensItem,
    legacy: legacyDeviceTokensItem,
    seal: createDeviceSeal(keyFile),
    settings: injectionSettingsItem,
  });
}

const everything = async () =>
  JSON.stringify([await fakeBrowser.storage.local.get(), await fakeBrowser.storage.session.get()]);

beforeEach(() => {
  fakeBrowser.reset();
  keyFile = createMemoryKeyFile();
});

describe('the value store', () => {
  it('keeps values in session storage only while the user has not opted in', async () => {
    await store().setValue([entry]);
    expect(await keptTokensItem.getValue()).toEqual([entry]);
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(entry.value);
    expect(keyFile.bytes).toBeUndefined();
  });

  it('seals values kept on the device; a new worker reads them back; opting out destroys the key', async () => {
    await store().setValue([entry]);
    await store().moveTo(true);
    expect(await everything()).not.toContain(entry.value);
    const sealed = await sealedTokensItem.getValue();
    expect(sealed).not.toBeNull();
    expect(await store().getValue()).toEqual([entry]);

    await store().moveTo(false);
    expect(keyFile.bytes).toBeUndefined();
    expect(await sealedTokensItem.getValue()).toBeNull();
    expect(await keptTokensItem.getValue()).toEqual([entry]);
    // A copy of the sealed record left in LevelDB's files can no longer be opened.
    await sealedTokensItem.setValue(sealed);
    await keptTokensItem.setValue([]);
    expect(await store().getValue()).toEqual([]);
  });

  it('seals (keep on) or moves to the session (keep off) values an older version kept in plain text', async () => {
    await legacyDeviceTokensItem.setValue([entry]);
    await injectionSettingsItem.setValue({
      ...(await injectionSettingsItem.getValue()),
      keepValuesOnDevice: true,
    });
    await store().tidy();
    expect(await everything()).not.toContain(entry.value);
    expect(await store().getValue()).toEqual([entry]);

    await legacyDeviceTokensItem.setValue([entry]);
    await store().moveTo(false);
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(entry.value);
    expect(await store().getValue()).toEqual([entry]);
  });
});
