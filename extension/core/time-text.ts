// Times for token rows and details: relative ("in 7 days", "5 min ago") and absolute ("28 Nov 2026, 14:05").

const UNITS = [
  ['year', 365 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['min', 60],
] as const;

/**
 * A readable distance in the largest unit that fits, rounded to the nearest: a 7-day token created a few
 * seconds ago expires "in 7 days", not "in 6 days". "less than a minute" below one minute.
 */
export function duration(seconds: number): string {
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      const count = Math.round(seconds / size);
      return `${count} ${unit}${count > 1 && unit !== 'min' ? 's' : ''}`;
    }
  }
  return 'less than a minute';
}

export function expiryText(expirationDate: string, expired: boolean, now: number): string {
  const seconds = (Date.parse(expirationDate) - now) / 1000;
  if (expired || seconds <= 0) return `expired ${duration(-seconds)} ago`;
  return `expires in ${duration(seconds)}`;
}

export function lastUsedText(lastUsedDate: string | null, now: number): string {
  if (lastUsedDate === null) return 'never used';
  const seconds = (now - Date.parse(lastUsedDate)) / 1000;
  return seconds < 60 ? 'used just now' : `used ${duration(seconds)} ago`;
}

const ABSOLUTE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The date in the browser's locale and time zone, to the minute. */
export function absoluteDate(isoDate: string): string {
  return ABSOLUTE.format(new Date(isoDate));
}
