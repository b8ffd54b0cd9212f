// The token cache's entries, found by key or by token id: an array by id, and a table of ids in an Int32Array.
import type { CachedToken } from './cached-token';

const MIN_SLOTS = 16;
const FREE = 0;
/** A slot whose entry was deleted: a probe goes on past it (entries after it may have been pushed on). */
const DELETED = -1;

/**
 * The entries by id in a plain array (ids are small integers handed out in order, so it is dense; V8 keeps a
 * sparse one as a dictionary, no dearer), and the way from a key to an id in an open-addressing table of ids
 * (linear probing), an Int32Array: a Map would take about 37 bytes a token for its slot, the table takes 4 a
 * slot (8 to 16 a token, kept at most half full), and holds nothing for the garbage collector to trace. A key
 * is a SHA-256 digest (server/auth/digest.ts's tokenKey), so its first characters already hash uniformly.
 *
 * One entry per key and one per id: `set` replaces whatever held either.
 */
export class TokenIndex {
  private readonly byId: Array<CachedToken | undefined> = [];
  /** Each slot FREE, DELETED, or the id + 1 of the entry whose key hashes there or was pushed on to it. */
  private slots = new Int32Array(MIN_SLOTS);
  private count = 0;
  private deleted = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): CachedToken | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = hashOf(key) & mask; ; slot = (slot + 1) & mask) {
      const held = slots[slot] as number;
      if (held === FREE) return undefined;
      if (held !== DELETED) {
        const entry = this.byId[held - 1];
        if (entry !== undefined && entry.key === key) return entry;
      }
    }
  }

  ofId(id: number): CachedToken | undefined {
    return this.byId[id];
  }

  /** Keeps `entry` under its key and its id, in place of whatever held either. */
  set(entry: CachedToken): void {
    const sameKey = this.get(entry.key);
    if (sameKey !== undefined) this.delete(sameKey);
    const sameId = this.byId[entry.id];
    if (sameId !== undefined) this.delete(sameId);
    if ((this.count + this.deleted + 1) * 2 > this.slots.length) this.rebuild();
    this.byId[entry.id] = entry;
    this.place(entry);
    this.count++;
  }

  /** Drops `entry`, if it is still the one held for its id (a new token may have been given a deleted one's id). */
  delete(entry: CachedToken): void {
    if (this.byId[entry.id] !== entry) return;
    this.byId[entry.id] = undefined;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hashOf(entry.key) & mask;
    while (slots[slot] !== entry.id + 1) slot = (slot + 1) & mask;
    slots[slot] = DELETED;
    this.count--;
    this.deleted++;
  }

  clear(): void {
    this.byId.length = 0;
    this.slots = new Int32Array(MIN_SLOTS);
    this.count = 0;
    this.deleted = 0;
  }

  /**
   * Every entry, in table order, for a walk that may span turns of the event loop: it goes on past deletions
   * (no entry moves when another is deleted), may or may not reach an entry added meanwhile, and starts over
   * when the table was rebuilt meanwhile, so that every entry held throughout is reached (some twice).
   */
  *values(): IterableIterator<CachedToken> {
    let slots = this.slots;
    for (let slot = 0; slot < slots.length; slot++) {
      if (slots !== this.slots) {
        slots = this.slots;
        slot = 0;
      }
      const held = slots[slot] as number;
      if (held === FREE || held === DELETED) continue;
      const entry = this.byId[held - 1];
      if (entry !== undefined) yield entry;
    }
  }

  private place(entry: CachedToken): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hashOf(entry.key) & mask;
    // A key is placed only once no entry holds it: the first slot free or deleted along its probe will do.
    while (slots[slot] !== FREE && slots[slot] !== DELETED) slot = (slot + 1) & mask;
    if (slots[slot] === DELETED) this.deleted--;
    slots[slot] = entry.id + 1;
  }

  /** A new table, deleted slots dropped, with room for half as many entries again as it holds before the next. */
  private rebuild(): void {
    const old = this.slots;
    let size = MIN_SLOTS;
    while (size <= (this.count + 1) * 3) size *= 2;
    this.slots = new Int32Array(size);
    this.deleted = 0;
    for (const held of old) {
      if (held !== FREE && held !== DELETED) this.place(this.byId[held - 1] as CachedToken);
    }
  }
}

/** The key's first four characters (bytes of a SHA-256 digest) as one number. */
function hashOf(key: string): number {
  return key.charCodeAt(0) | (key.charCodeAt(1) << 8) | (key.charCodeAt(2) << 16) | (key.charCodeAt(3) << 24);
}
