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
    let start: () => void = () => {};
    const written = new Promise<void>((resolve) => (start = resolve)).then(async () => {
      const batch = [...uses.values()];
      await write(batch);
      for (const { id, at } of batch) options.onWritten?.(id, at);
    });
    const timer = setTimeout(() => flush(), options.flushEveryMs);
    timer.unref();
    return {
      uses,
      written,
      write: () => {
        clearTimeout(timer);
        start();
      },
    };
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
        if (held === undefined || held.at <= use.at) batch.uses.set(use.id, use);
      }
      if (batch.uses.size >= options.maxPending) flush();
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
