// Token values: 32 hex of CSPRNG output + 8 hex CRC-32 of those 32 characters.
export const TOKEN_VALUE_LENGTH = 40;
const RANDOM_HEX_LENGTH = 32;
const WELL_FORMED = /^[0-9a-f]{40}$/;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of an ASCII string, as 8 lowercase hex characters. */
export function crc32Hex(ascii: string): string {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) {
    crc = (CRC_TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

/** A new token value from the platform's CSPRNG (Web Crypto, in Node and in browsers). */
export function createTokenValue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_HEX_LENGTH / 2));
  const random = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return random + crc32Hex(random);
}

/** True when the value has the right shape and checksum; checked before any lookup. */
export function isWellFormedTokenValue(value: string): boolean {
  if (value.length !== TOKEN_VALUE_LENGTH || !WELL_FORMED.test(value)) return false;
  return crc32Hex(value.slice(0, RANDOM_HEX_LENGTH)) === value.slice(RANDOM_HEX_LENGTH);
}
