// When to be notified before a rule's token expires, on the options page: hours, as people think of notices.
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_NOTICE_SETTINGS, expiryNoticeSettingsItem } from '../../core/storage-items';

export function useStored<T>(
  item: { getValue(): Promise<T>; watch(cb: (value: T) => void): () => void },
  initial: T,
): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    void item.getValue().then(setValue);
    return item.watch(setValue);
  }, [item]);
  return value;
}

/** "24, 1" ⇄ [1440, 60]: hours, as people think of notices. */
function parseHours(text: string): number[] | undefined {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const minutes = parts.map((part) => Math.round(Number(part) * 60));
  if (minutes.some((m) => !Number.isFinite(m) || m < 1 || m > 60 * 24 * 365) || minutes.length > 5)
    return undefined;
  return [...new Set(minutes)].sort((a, b) => b - a);
}

export function ExpiryNoticeSetting() {
  const settings = useStored(expiryNoticeSettingsItem, DEFAULT_NOTICE_SETTINGS);
  const shown = settings.beforeMinutes.map((m) => String(Math.round((m / 60) * 100) / 100)).join(', ');
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <label>
      Notify before a rule's token expires (hours before, comma-separated; empty: never)
      <input
        value={text ?? shown}
        placeholder="24, 1"
        onInput={(event) => setText(event.currentTarget.value)}
        onChange={(event) => {
          const beforeMinutes = parseHours(event.currentTarget.value);
          if (beforeMinutes === undefined) {
            setError('Enter up to five numbers of hours, such as 24, 1 (at least one minute: 0.02).');
            return;
          }
          setError(null);
          setText(null);
          void expiryNoticeSettingsItem.setValue({ beforeMinutes });
        }}
      />
      {error && (
        <small class="form-error" role="alert">
          {error}
        </small>
      )}
    </label>
  );
}
