// Finding token values where they should not be (a repository, a log, a paste), and reporting them as leaked.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isWellFormedTokenValue, TOKEN_VALUE_LENGTH } from '../../shared/token-format';

/**
 * 40 lowercase hex characters standing alone: not part of a longer word or hex run. The checksum decides the
 * rest, so a random 40-hex string (a commit id, a SHA-1) is taken for a token 1 time in 2^32.
 */
const CANDIDATE = new RegExp(`(?<![0-9A-Za-z_])[0-9a-f]{${TOKEN_VALUE_LENGTH}}(?![0-9A-Za-z_])`, 'g');
/** Folders that hold other people's code or the repository's own history, never a leak of ours. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);
/** As git decides: a NUL byte in the first 8,000 bytes makes a file binary. */
const BINARY_SNIFF_BYTES = 8000;
/** What POST /fmerest/v3/tokens/revoke takes in one request. */
export const REPORT_BATCH_SIZE = 100;

export interface Finding {
  path: string;
  /** 1-based. */
  line: number;
  value: string;
}

/** The token values in a text, with their 1-based line numbers, in order. */
export function findTokenValues(text: string): { line: number; value: string }[] {
  const found: { line: number; value: string }[] = [];
  let line = 1;
  let counted = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    if (!isWellFormedTokenValue(match[0])) continue;
    for (; counted < match.index; counted++) if (text.charCodeAt(counted) === 10) line++;
    found.push({ line, value: match[0] });
  }
  return found;
}

/** Enough of a value to find it again among one's tokens, never enough to use it: the first and last 4 characters. */
export function maskTokenValue(value: string): string {
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/**
 * Every finding under the given files and folders, folders walked recursively (without node_modules, .git,
 * binary files or symbolic links met on the way: a link cycle cannot loop). A path that does not exist throws.
 */
export async function scanPaths(paths: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  async function scanFile(path: string) {
    const bytes = await readFile(path);
    if (isBinary(bytes)) return;
    for (const found of findTokenValues(bytes.toString('utf8'))) findings.push({ path, ...found });
  }
  async function scanFolder(path: string) {
    const entries: Dirent[] = await readdir(path, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) await scanFolder(child);
      } else if (entry.isFile()) {
        await scanFile(child);
      }
    }
  }
  for (const path of paths) {
    // A path named on the command line is followed even when it is a link; only the walk skips links.
    const info = await stat(path);
    if (info.isDirectory()) await scanFolder(path);
    else if (info.isFile()) await scanFile(path);
  }
  return findings;
}

/** Distinct values, in the order first found, cut into batches the endpoint takes. */
export function reportBatches(values: readonly string[]): string[][] {
  const distinct = [...new Set(values)];
  const batches: string[][] = [];
  for (let i = 0; i < distinct.length; i += REPORT_BATCH_SIZE)
    batches.push(distinct.slice(i, i + REPORT_BATCH_SIZE));
  return batches;
}

export class ReportError extends Error {}

export interface ReportOptions {
  fetch?: typeof fetch;
  /** Waits out a 429's Retry-After; a test may make it instant. */
  wait?: (seconds: number) => Promise<void>;
  /** 429 answers taken for one batch before giving up. */
  maxRetries?: number;
}

/**
 * Sends the values to `<server>/fmerest/v3/tokens/revoke`, at most 100 a request, waiting out the endpoint's
 * per-address limit (429 + Retry-After). The answer says nothing about which values were real, so the count
 * sent is all there is to tell. Throws ReportError on any answer but 202.
 */
export async function reportLeakedValues(
  server: string,
  values: readonly string[],
  options: ReportOptions = {},
): Promise<{ sent: number; requests: number }> {
  const send = options.fetch ?? fetch;
  const wait =
    options.wait ?? ((seconds: number) => new Promise<void>((done) => setTimeout(done, seconds * 1000)));
  // Relative to the server's address, so a server behind a path prefix (https://example.com/tokens/) works too.
  const url = new URL('fmerest/v3/tokens/revoke', server.endsWith('/') ? server : `${server}/`);
  let sent = 0;
  let requests = 0;
  for (const batch of reportBatches(values)) {
    for (let attempt = 0; ; attempt++) {
      const res = await send(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ tokens: batch }),
      });
      requests++;
      await res.body?.cancel();
      if (res.status === 202) break;
      if (res.status === 429 && attempt < (options.maxRetries ?? 5)) {
        await wait(Number(res.headers.get('Retry-After') ?? '1') || 1);
        continue;
      }
      throw new ReportError(`${url.href} answered ${res.status} after ${sent} of the values were sent.`);
    }
    sent += batch.length;
  }
  return { sent, requests };
}
