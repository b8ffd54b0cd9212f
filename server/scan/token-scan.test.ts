import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32Hex, createTokenValue } from '../../shared/token-format';
import {
  findTokenValues,
  maskTokenValue,
  REPORT_BATCH_SIZE,
  reportBatches,
  reportLeakedValues,
  scanPaths,
} from './token-scan';

/** A value whose last checksum character is wrong. */
const badChecksum = (value: string) => `${value.slice(0, 39)}${value.endsWith('0') ? '1' : '0'}`;

describe('findTokenValues', () => {
  it('finds a value made by the generator, with its line, wherever it stands alone', () => {
    const a = createTokenValue();
    const b = createTokenValue();
    const text = `first line\nAuthorization: fmetoken token=${a}\n"token": "${b}", x\n\n${a}`;
    expect(findTokenValues(text)).toEqual([
      { line: 2, value: a },
      { line: 3, value: b },
      { line: 5, value: a },
    ]);
  });

  it('takes no near-miss: a bad checksum, 39 or 41 characters, a longer hex run or word, upper case', () => {
    const value = createTokenValue();
    const random = value.slice(0, 32);
    const misses = [
      badChecksum(value),
      value.slice(1),
      `${value}0`,
      `0${value}`,
      `${value}abcdef0123`,
      `x${value}`,
      `${value}_`,
      value.toUpperCase(),
      // 39 characters whose checksum would be right over the first 31.
      `${random.slice(0, 31)}${crc32Hex(random.slice(0, 31))}`,
    ];
    for (const miss of misses) expect(findTokenValues(`key=${miss}\n`), miss).toEqual([]);
    // The same text with the value alone again is found: the misses above are not missed for another reason.
    expect(findTokenValues(`key=${value}\n`)).toEqual([{ line: 1, value }]);
  });

  it('passes a random 40-hex string (a commit id) about 1 time in 2^32', () => {
    const commits = Array.from(
      { length: 2000 },
      () => createTokenValue().slice(0, 32) + createTokenValue().slice(0, 8),
    );
    expect(findTokenValues(commits.join('\n'))).toEqual([]);
  });
});

describe('maskTokenValue', () => {
  it('shows the first and last 4 characters and nothing between', () => {
    const value = createTokenValue();
    const masked = maskTokenValue(value);
    expect(masked).toBe(`${value.slice(0, 4)}…${value.slice(36)}`);
    expect(masked).not.toContain(value.slice(4, 36));
  });
});

describe('scanPaths', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenward-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders recursively, without node_modules, .git, binary files or links', () => {
    const value = createTokenValue();
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'src', 'deep', 'config.env'), `A=1\nTOKEN=${value}\n`);
    writeFileSync(join(dir, 'src', 'near-miss.txt'), `${badChecksum(value)}\n${value}ff\n`);
    writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), value);
    writeFileSync(join(dir, '.git', 'config'), value);
    writeFileSync(join(dir, 'image.bin'), Buffer.concat([Buffer.from([0x89, 0, 1]), Buffer.from(value)]));
    symlinkSync(dir, join(dir, 'src', 'loop'));
    return expect(scanPaths([dir])).resolves.toEqual([
      { path: join(dir, 'src', 'deep', 'config.env'), line: 2, value },
    ]);
  });

  it('scans a file named directly, and throws on a path that does not exist', async () => {
    const value = createTokenValue();
    writeFileSync(join(dir, 'log.txt'), `${value}\n`);
    expect(await scanPaths([join(dir, 'log.txt')])).toEqual([{ path: join(dir, 'log.txt'), line: 1, value }]);
    await expect(scanPaths([join(dir, 'missing')])).rejects.toThrow(/ENOENT/);
  });
});

describe('reportBatches', () => {
  it('deduplicates and cuts into batches of at most 100', () => {
    const values = Array.from({ length: 250 }, () => createTokenValue());
    const batches = reportBatches([...values, ...values.slice(0, 50)]);
    expect(batches.map((batch) => batch.length)).toEqual([REPORT_BATCH_SIZE, REPORT_BATCH_SIZE, 50]);
    expect(batches.flat()).toEqual(values);
  });
});

describe('reportLeakedValues', () => {
  it('waits out a 429 for its Retry-After and sends the batch again', async () => {
    const answers = [429, 202];
    const waited: number[] = [];
    const bodies: unknown[] = [];
    const result = await reportLeakedValues('http://127.0.0.1:1', ['a', 'a', 'b'], {
      // A stand-in server: the 429 path cannot be reached on a real one without ten reports a minute.
      fetch: async (_url, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        const status = answers.shift() ?? 500;
        return new Response(status === 202 ? '{}' : null, { status, headers: { 'Retry-After': '7' } });
      },
      wait: async (seconds) => void waited.push(seconds),
    });
    expect(result).toEqual({ sent: 2, requests: 2 });
    expect(waited).toEqual([7]);
    expect(bodies).toEqual([{ tokens: ['a', 'b'] }, { tokens: ['a', 'b'] }]);
  });

  it('fails on any other answer, saying how many were sent', async () => {
    await expect(
      reportLeakedValues('http://127.0.0.1:1', ['a'], {
        fetch: async () => new Response(null, { status: 404 }),
      }),
    ).rejects.toThrow(/answered 404 after 0 of the values were sent/);
  });
});
