// The global pause in the popup's header: always in reach, whichever view is open.
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../background/messages';
import { injectionSettingsItem } from '../utils/storage-items';

export function PauseSwitch() {
  const [paused, setPaused] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void injectionSettingsItem.getValue().then((settings) => setPaused(settings.paused));
    return injectionSettingsItem.watch((settings) => setPaused(settings.paused));
  }, []);
  if (paused === undefined) return null;
  return (
    <label class="check header-pause" title="No rule injects while paused">
      <input
        type="checkbox"
        checked={paused}
        onChange={(event) =>
          void sendMessage('setInjectionSettings', { paused: event.currentTarget.checked })
        }
      />
      <span>{paused ? 'Paused' : 'Pause'}</span>
    </label>
  );
}
