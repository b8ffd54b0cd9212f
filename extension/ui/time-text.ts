// Relative times for token rows: "in 29 days", "5 min ago".

const UNITS = [
  ['year', 365 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['min', 60],
] as const;

/** A coarse, readable distance: the largest whole unit, "less than a minute" below one minute. */
export function duration(seconds: number): string {
  for (const [unit, size] of UNITS) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${unit}${count > 1 && unit !== 'min' ? 's' : ''}`;
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
