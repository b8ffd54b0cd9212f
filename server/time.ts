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
/** The date part ("2026-11-22T") of the days asked for lately: a token's dates fall on a few different days. */
const dayTexts = new Map<number, string>();
/** "00" to "59": the time of day is pasted from these instead of formatted. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** UTC, second precision, Z suffix, as every date in the API: 2026-11-22T10:00:00Z. */
export function toApiDate(seconds: number): string {
  // Most calls in a busy second ask for the same second (currentTime, a fresh token's dates).
  if (seconds === lastSeconds) return lastText;
  // A page of tokens asks for many seconds of few days: each day is formatted once, the time pasted on.
  if (!Number.isInteger(seconds)) return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const day = Math.floor(seconds / 86_400);
  let dayText = dayTexts.get(day);
  if (dayText === undefined) {
    if (dayTexts.size >= 1000) dayTexts.clear();
    // Up to the T: years past 9999 are written longer.
    dayText = new Date(day * 86_400_000).toISOString().slice(0, -13);
    dayTexts.set(day, dayText);
  }
  const time = seconds - day * 86_400;
  lastText = `${dayText}${TWO_DIGITS[Math.floor(time / 3600)]}:${TWO_DIGITS[Math.floor(time / 60) % 60]}:${TWO_DIGITS[time % 60]}Z`;
  lastSeconds = seconds;
  return lastText;
}

/** RFC 3339 with milliseconds, as FME's v4 API writes dates: 2025-09-19T01:22:18.000Z. */
export function toApiDateMillis(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let lastInfoSecond = Number.NaN;
let lastInfoText = '';

/** FME's /info currentTime, in UTC (timeZone "+0000"): Mon-14-Nov-2022 07:20:24 PM. */
export function toFmeInfoTime(milliseconds: number): string {
  // /info is the route token checks hit most: format each second once.
  const second = Math.floor(milliseconds / 1000);
  if (second !== lastInfoSecond) {
    lastInfoText = formatFmeInfoTime(new Date(second * 1000));
    lastInfoSecond = second;
  }
  return lastInfoText;
}

function formatFmeInfoTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = at.getUTCHours();
  const clock = `${two(hours % 12 === 0 ? 12 : hours % 12)}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
  const date = `${DAYS[at.getUTCDay()]}-${two(at.getUTCDate())}-${MONTHS[at.getUTCMonth()]}-${at.getUTCFullYear()}`;
  return `${date} ${clock} ${hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * Milliseconds on the monotonic clock, which no one steps: what leases and the token cache's ages are measured
 * with, in every module that compares them. (process.hrtime(), read inline, can cost nothing where it is
 * inlined, but costs twice what performance.now() does in a process whose other code calls it too.)
 */
export function monotonicMs(): number {
  return performance.now();
}
