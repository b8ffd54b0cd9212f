// The one global pause of a page: in the popup's header, whichever view is open; on the options page, with the rules.
import { useEffect, useState } from 'preact/hooks';
import { injectionSettingsItem } from '../../core/storage-items';
import { useRules } from './rules-context';

export function PauseSwitch() {
  const { actions } = useRules();
  const [paused, setPaused] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void injectionSettingsItem.getValue().then((settings) => setPaused(settings.paused));
    return injectionSettingsItem.watch((settings) => setPaused(settings.paused));
  }, []);
  if (paused === undefined) return null;
  return (
    <label class="check header-pause" title="No rule injects while paused; the toolbar badge reads OFF.">
      <input
        type="checkbox"
        aria-label="Pause all injection"
        checked={paused}
        onChange={(event) => void actions.setPaused(event.currentTarget.checked)}
      />
      <span>{paused ? 'Paused' : 'Pause'}</span>
    </label>
  );
}
