// A rule's token expiring within a day: the countdown on its row; and when to be notified, on the options page.
import { useEffect, useState } from 'preact/hooks';
import type { TokenRef } from '../../shared/schemas/injection-rules';
import { type TokenState, tokenKey } from '../background/dnr-rules';
import { DEFAULT_NOTICE_SETTINGS, expiryNoticeSettingsItem } from '../background/expiry-notices';
import { tokenStatesItem } from '../utils/storage-items';
import { duration } from './time-text';
import './explain.css';

const DAY_MS = 86_400_000;

function useStored<T>(
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

/** "Token expires in 3 hours": only within a day of the expiry, which is when a notice comes too. */
export function ExpiryCountdown({ token, now }: { token: TokenRef; now: number }) {
  const states = useStored<Record<string, TokenState>>(tokenStatesItem, {});
  const date = states[tokenKey(token)]?.expirationDate;
  if (!date) return null;
  const left = Date.parse(date) - now;
  if (left <= 0 || left > DAY_MS) return null;
  return (
    <p class="expiry-countdown" role="timer">
      {token.name} expires in {duration(left / 1000)}
    </p>
  );
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
