// Token values for injection: in session storage, or in local storage when the user opted in to keep them on this device.
import * as v from 'valibot';
import {
  type InjectionSettings,
  type KeptToken,
  KeptTokenSchema,
  type ValueItem,
} from '../utils/storage-items';

export interface ValueStoreDeps {
  session: ValueItem<KeptToken[]>;
  device: ValueItem<KeptToken[]>;
  settings: ValueItem<InjectionSettings>;
}

/** One list of values, whichever area holds them; writes go to the area the setting chooses. */
export function createValueStore(
  deps: ValueStoreDeps,
): ValueItem<KeptToken[]> & { moveTo(device: boolean): Promise<void> } {
  const parse = (entries: unknown) => v.parse(v.array(KeptTokenSchema), entries);
  async function read(): Promise<KeptToken[]> {
    const [session, device] = await Promise.all([deps.session.getValue(), deps.device.getValue()]);
    return parse([...session, ...device]);
  }
  async function write(entries: KeptToken[]): Promise<void> {
    const onDevice = (await deps.settings.getValue()).keepValuesOnDevice;
    // Clear the other area first: a value must never be left behind where the user did not choose.
    if (onDevice) {
      await deps.session.setValue([]);
      await deps.device.setValue(entries);
    } else {
      await deps.device.setValue([]);
      await deps.session.setValue(entries);
    }
  }
  return {
    getValue: read,
    setValue: write,
    /** Moves every value to the chosen area (after the setting itself was saved). */
    async moveTo(device: boolean): Promise<void> {
      const entries = await read();
      await deps.settings.setValue({ ...(await deps.settings.getValue()), keepValuesOnDevice: device });
      await write(entries);
    },
  };
}
