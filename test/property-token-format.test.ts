// Property tests of the token value format: what is accepted is exactly 32 hex + their CRC-32.
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Hex, createTokenValue, isWellFormedTokenValue } from '../shared/token-format';

const RUNS = 1000;
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const hex8 = fc.stringMatching(/^[0-9a-f]{8}$/);
/** A value the server issues: 32 hex characters followed by their CRC-32. */
const validValue = hex32.map((random) => random + crc32Hex(random));

describe('token values', () => {
  it('computes the standard CRC-32 (IEEE), the one any other client would compute', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 64 }), (ascii) => {
        expect(crc32Hex(ascii)).toBe(crc32(ascii).toString(16).padStart(8, '0'));
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every value createTokenValue makes, and each is fresh', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.constant(null), () => {
        const value = createTokenValue();
        expect(value).toMatch(/^[0-9a-f]{40}$/);
        expect(value.slice(32)).toBe(crc32Hex(value.slice(0, 32)));
        expect(isWellFormedTokenValue(value)).toBe(true);
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects any single-character change of a valid value (a typo is caught before any lookup)', () => {
    fc.assert(
      fc.property(
        validValue,
        fc.nat({ max: 39 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        (value, index, replacement) => {
          fc.pre(value[index] !== replacement);
          const changed = value.slice(0, index) + replacement + value.slice(index + 1);
          expect(isWellFormedTokenValue(changed)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('rejects a hex value of the right length whose last 8 are not the CRC-32 of the first 32', () => {
    fc.assert(
      fc.property(hex32, hex8, (random, checksum) => {
        fc.pre(checksum !== crc32Hex(random));
        expect(isWellFormedTokenValue(random + checksum)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects a valid value with any of its letters in upper case', () => {
    fc.assert(
      fc.property(validValue, fc.nat(), (value, pick) => {
        const letters = [...value].flatMap((ch, i) => (/[a-f]/.test(ch) ? [i] : []));
        fc.pre(letters.length > 0);
        const index = letters[pick % letters.length] ?? 0;
        const upper = value.slice(0, index) + value.charAt(index).toUpperCase() + value.slice(index + 1);
        expect(isWellFormedTokenValue(upper)).toBe(false);
        expect(isWellFormedTokenValue(value.toUpperCase())).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects a valid value with characters added or removed, or wrapped in white space or quotes', () => {
    fc.assert(
      fc.property(
        validValue,
        fc.nat({ max: 40 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
        fc.nat({ max: 39 }),
        (value, at, extra, cut) => {
          expect(isWellFormedTokenValue(value.slice(0, at) + extra + value.slice(at))).toBe(false);
          expect(isWellFormedTokenValue(value.slice(0, cut) + value.slice(cut + 1))).toBe(false);
          expect(isWellFormedTokenValue(` ${value}`)).toBe(false);
          expect(isWellFormedTokenValue(`"${value}"`)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws, and accepts an arbitrary string only when it is 40 lowercase hex with a matching checksum', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'binary', minLength: 40, maxLength: 40 }),
      fc.stringMatching(/^[0-9a-fA-F]{38,42}$/),
    );
    fc.assert(
      fc.property(anyString, (s) => {
        const expected = /^[0-9a-f]{40}$/.test(s) && crc32Hex(s.slice(0, 32)) === s.slice(32);
        expect(isWellFormedTokenValue(s)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });
});
