// The API's date text: the same as the ISO form without milliseconds, for any second, in any order asked.
import { describe, expect, it } from 'vitest';
import { toApiDate } from './time';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('toApiDate', () => {
  it('writes every second of a day, and the days around it, as the ISO form without milliseconds', () => {
    const seconds = [
      0, 1, 59, 60, 3599, 3600, 86_399, 86_400, -1, -86_400, -86_401, 951_782_400, 253_402_300_799,
      253_402_300_800,
    ];
    for (let s = 1_764_979_200 - 90_000; s < 1_764_979_200 + 90_000; s += 7) seconds.push(s);
    // Back and forth between days, so that what one call remembers is never what the next needs.
    for (const s of [...seconds, ...seconds.reverse()]) expect(toApiDate(s)).toBe(iso(s));
  });

  it('keeps the seconds of a time that is not whole out of the text, as before', () => {
    expect(toApiDate(1.5)).toBe('1970-01-01T00:00:01Z');
  });
});
