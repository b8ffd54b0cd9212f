// A rule's token expiring within a day: the countdown on its row.
import { duration } from '../core/time-text';
import './explain.css';

const DAY_MS = 86_400_000;

/** "Token expires in 3 hours": only within a day of the expiry, which is when a notice comes too. */
export function ExpiryCountdown({
  name,
  expirationDate,
  now,
}: {
  name: string;
  expirationDate?: string | null | undefined;
  now: number;
}) {
  const date = expirationDate;
  if (!date) return null;
  const left = Date.parse(date) - now;
  if (left <= 0 || left > DAY_MS) return null;
  return (
    <p class="expiry-countdown" role="timer">
      {name} expires in {duration(left / 1000)}
    </p>
  );
}
