// Token values for injection: in session storage, or sealed in local storage when the user opted in to keep them.
import * as v from 'valibot';
import { tokenKey } from '../core/dnr-rules';
import {
  type InjectionSettings,
  type KeptToken,
  KeptTokenSchema,
  type Sealed,
  type ValueItem,
} from '../core/storage-items';
import type { DeviceSeal } from './device-seal';

export interface ValueStoreDeps {
  session: ValueItem<KeptToken[]>;
  /** Local storage: the values sealed under the device key, only while the user keeps them on this device. */
  device: ValueItem<Sealed | null>;
  /** Plain-text values an older version kept in local storage. */
  legacy: ValueItem<KeptToken[]>;
  seal: DeviceSeal;
  settings: ValueItem<InjectionSettings>;
}

export type ValueStore = ValueItem<KeptToken[]> & {
  moveTo(device: boolean): Promise<void>;
  /** Start-up: values an older version left in plain text are sealed (or dropped) and removed. */
  tidy(): Promise<void>;
};

/** One list of values, whichever area holds them; writes go to the area the setting chooses. */
export function createValueStore(deps: ValueStoreDeps): ValueStore {
  const parse = (entries: unknown) => v.parse(v.array(KeptTokenSchema), entries);

  async function fromDevice(): Promise<KeptToken[]> {
    const sealed = await deps.device.getValue();
    if (sealed === null) return [];
    const text = await deps.seal.open(sealed);
    if (text === undefined) return [];
    const entries = v.safeParse(v.array(KeptTokenSchema), JSON.parse(text));
    return entries.success ? entries.output : [];
  }

  async function read(): Promise<KeptToken[]> {
    const [session, device, legacy] = await Promise.all([
      deps.session.getValue(),
      fromDevice(),
      deps.legacy.getValue(),
    ]);
    const seen = new Set<string>();
    return parse([...session, ...device, ...legacy]).filter((entry) => {
      const key = tokenKey(entry);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  async function write(entries: KeptToken[]): Promise<void> {
    const onDevice = (await deps.settings.getValue()).keepValuesOnDevice;
    if ((await deps.legacy.getValue()).length > 0) await deps.legacy.setValue([]);
    // Clear the other area first: a value must never be left behind where the user did not choose.
    if (onDevice) {
      await deps.session.setValue([]);
      await deps.device.setValue(await deps.seal.seal(JSON.stringify(entries)));
    } else {
      if ((await deps.device.getValue()) !== null) {
        await deps.device.setValue(null);
        // The sealed copy may linger in LevelDB's files; without its key it is unreadable.
        await deps.seal.destroy();
      }
      await deps.session.setValue(entries);
    }
  }

  return {
    getValue: read,
    setValue: write,
    async moveTo(device: boolean): Promise<void> {
      const entries = await read();
      await deps.settings.setValue({ ...(await deps.settings.getValue()), keepValuesOnDevice: device });
      await write(entries);
      if (!device) await deps.seal.destroy();
    },
    async tidy(): Promise<void> {
      if ((await deps.legacy.getValue()).length > 0) await write(await read());
    },
  };
}
