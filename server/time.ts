// The clock every rule about time reads, so tests can move time instead of sleeping.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Whole seconds since the epoch: the precision tokens are stored and shown with. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

let lastSeconds = Number.NaN;
let lastText = '';

/** UTC, second precision, Z suffix, as every date in the API: 2026-11-22T10:00:00Z. */
export function toApiDate(seconds: number): string {
  // Most calls in a busy second ask for the same second (currentTime, a fresh token's dates).
  if (seconds !== lastSeconds) {
    lastText = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSeconds = seconds;
  }
  return lastText;
}
