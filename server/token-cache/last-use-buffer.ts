// Last uses written together, at most once per interval: the random-token path must not spend its time writing.
import type { TokenUse } from '../store/store';

export type { TokenUse };

export interface LastUseBufferOptions {
  /** A use waits at most this long for its write. */
  flushEveryMs: number;
  /** More distinct tokens pending than this are written at once, without waiting. */
  maxPending: number;
  /** Hears of every use once it is written. */
  onWritten?: (id: number, at: number) => void;
}

export interface LastUseBuffer {
  /** Resolves once these uses are written (with whatever else is pending then); rejects if that write fails. */
  add(uses: readonly TokenUse[]): Promise<void>;
  /** Writes what is pending now, and resolves once every write begun so far has ended (failed ones too). */
  settle(): Promise<void>;
  /** The latest use of this token not yet written (pending, or being written). */
  unwritten(id: number): TokenUse | undefined;
}

interface Batch {
  /**
   * The latest use of each token, as it was added: where it came from stays the raw strings of its request until
   * the write describes them, so adding a use costs a map entry, nothing more.
   */
  uses: Map<number, TokenUse>;
  /**
   * Earlier uses of a token from another address than its latest: not its last use, but perhaps its first from
   * that address, which the write must see. Added to only when the address changes, once per token and address.
   */
  displaced: TokenUse[];
  /** Which token and address each displaced use is, so each is kept once. */
  displacedKeys: Set<string>;
  written: Promise<void>;
  write: () => void;
}

/**
 * Collects uses for up to `flushEveryMs` (or `maxPending` tokens) and writes them in one call to `write`
 * (one transaction), so a flood of requests with many different tokens costs one write a second, not one
 * per turn of the event loop. Nothing is lost on a clean stop: the store's close settles the buffer first.
 */
export function createLastUseBuffer(
  write: (uses: TokenUse[]) => Promise<void>,
  options: LastUseBufferOptions,
): LastUseBuffer {
  let pending: Batch | undefined;
  // Each write begun and not yet ended, with the uses it carries.
  const inFlight = new Map<Promise<void>, Map<number, TokenUse>>();

  function newBatch(): Batch {
    const uses = new Map<number, TokenUse>();
    const displaced: TokenUse[] = [];
    let start: () => void = () => {};
    const written = new Promise<void>((resolve) => (start = resolve)).then(async () => {
      const batch = [...uses.values(), ...displaced];
      await write(batch);
      for (const { id, at } of batch) options.onWritten?.(id, at);
    });
    const timer = setTimeout(() => flush(), options.flushEveryMs);
    timer.unref();
    return {
      uses,
      displaced,
      displacedKeys: new Set(),
      written,
      write: () => {
        clearTimeout(timer);
        start();
      },
    };
  }

  function displace(batch: Batch, use: TokenUse): void {
    const key = `${use.id} ${placeOf(use)}`;
    if (batch.displacedKeys.has(key)) return;
    batch.displacedKeys.add(key);
    batch.displaced.push(use);
  }

  function flush(): void {
    const batch = pending;
    if (batch === undefined) return;
    pending = undefined;
    const done = batch.written.catch(() => {}).finally(() => inFlight.delete(done));
    inFlight.set(done, batch.uses);
    batch.write();
  }

  return {
    add(uses) {
      pending ??= newBatch();
      const batch = pending;
      for (const use of uses) {
        const held = batch.uses.get(use.id);
        if (held === undefined || held.at <= use.at) {
          batch.uses.set(use.id, use);
          if (held !== undefined && placeOf(held) !== placeOf(use)) displace(batch, held);
        } else if (placeOf(held) !== placeOf(use)) displace(batch, use);
      }
      if (batch.uses.size + batch.displaced.length >= options.maxPending) flush();
      return batch.written;
    },
    async settle() {
      flush();
      await Promise.all(inFlight.keys());
    },
    unwritten(id) {
      let latest = pending?.uses.get(id);
      for (const uses of inFlight.values()) {
        const use = uses.get(id);
        if (use !== undefined && (latest === undefined || use.at > latest.at)) latest = use;
      }
      return latest;
    },
  };
}

/** Where a use came from: its request's address, or the place a copied use was described with. */
function placeOf(use: TokenUse): string | undefined {
  return use.copied === undefined ? use.address : `copied ${use.copied.address}`;
}
