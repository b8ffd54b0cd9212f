// Relative times round to the nearest unit, and absolute dates are whole dates a person can read.
import { describe, expect, it } from 'vitest';
import { absoluteDate, expiryText, lastUsedText } from './time-text';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

describe('relative times', () => {
  it('says "in 7 days" for a 7-day token created a moment ago', () => {
    expect(expiryText(at(7 * 86_400 - 5), false, NOW)).toBe('expires in 7 days');
    expect(expiryText(at(30 * 86_400 - 90), false, NOW)).toBe('expires in 30 days');
    expect(expiryText(at(86_400 - 1), false, NOW)).toBe('expires in 24 hours');
    expect(expiryText(at(30), false, NOW)).toBe('expires in less than a minute');
  });

  it('words the past', () => {
    expect(expiryText(at(-3 * 3_600), true, NOW)).toBe('expired 3 hours ago');
    expect(lastUsedText(at(-10), NOW)).toBe('used just now');
    expect(lastUsedText(null, NOW)).toBe('never used');
  });

  it('gives the absolute date with its year', () => {
    expect(absoluteDate('2026-11-29T10:00:00Z')).toMatch(/2026/);
  });
});
