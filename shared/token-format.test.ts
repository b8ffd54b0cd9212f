import { describe, expect, it } from 'vitest';
import { crc32Hex, createTokenValue, isWellFormedTokenValue } from './token-format';

describe('token values', () => {
  it('computes the standard CRC-32 (IEEE) check value', () => {
    expect(crc32Hex('123456789')).toBe('cbf43926');
    expect(crc32Hex('')).toBe('00000000');
  });

  it('creates 40 lowercase hex characters whose last 8 are the CRC-32 of the first 32', () => {
    const value = createTokenValue();
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    expect(value.slice(32)).toBe(crc32Hex(value.slice(0, 32)));
    expect(isWellFormedTokenValue(value)).toBe(true);
  });

  it('never repeats a value', () => {
    const values = new Set(Array.from({ length: 2000 }, createTokenValue));
    expect(values.size).toBe(2000);
  });

  it('rejects a value with a wrong checksum, case or length', () => {
    const value = createTokenValue();
    const flipped = value.slice(0, 5) + (value[5] === 'a' ? 'b' : 'a') + value.slice(6);
    expect(isWellFormedTokenValue(flipped)).toBe(false);
    expect(isWellFormedTokenValue(value.toUpperCase())).toBe(false);
    expect(isWellFormedTokenValue(value.slice(0, 39))).toBe(false);
    expect(isWellFormedTokenValue(`${value}0`)).toBe(false);
    expect(isWellFormedTokenValue('')).toBe(false);
  });
});
